// A network plus its schedule and parameterisation is a denoiser D(x, t) (design.md section 1):
// the only thing a solver sees.
#pragma once
#include <memory>

#include "diffusion/solvers.h"
#include "models/network.h"

namespace ddm {

// D(x, t) for a batch at one time t (no autograd).
torch::Tensor network_denoise(Network& net, const Schedule& sch, Prediction pred, const torch::Tensor& x, double t);
DenoiseFn make_denoiser(std::shared_ptr<Network> net, Schedule sch, Prediction pred);

}  // namespace ddm
