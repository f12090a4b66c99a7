// A network plus its schedule and parameterisation is a denoiser D(x, t) (design.md section 1):
// the only thing a solver sees. D is returned raw: clipping the x0 estimate to the data range is
// the solver's business (diffusion/solvers.h), since the noise direction must come from the raw D.
#pragma once
#include <memory>

#include "diffusion/solvers.h"
#include "models/network.h"

namespace ddm {

// D(x, t) for a batch at one time t (no autograd).
torch::Tensor network_denoise(Network& net, const Schedule& sch, Prediction pred, const torch::Tensor& x, double t);
DenoiseFn make_denoiser(std::shared_ptr<Network> net, Schedule sch, Prediction pred);

}  // namespace ddm
