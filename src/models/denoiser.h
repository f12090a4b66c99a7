// A network plus its schedule and parameterisation is a denoiser D(x, t) (design.md section 1):
// the only thing a solver sees.
#pragma once
#include <memory>

#include "diffusion/solvers.h"
#include "models/network.h"

namespace ddm {

// D(x, t) for a batch at one time t (no autograd). `clip`: clamp D to the data range [-1, 1]
// (images): an imperfect network's D at high noise is amplified by 1/a(t), and the clamp keeps
// that error from derailing the first steps (DDPM's clip_denoised, diffusers' clip_sample).
torch::Tensor network_denoise(Network& net, const Schedule& sch, Prediction pred, const torch::Tensor& x, double t,
                              bool clip = false);
DenoiseFn make_denoiser(std::shared_ptr<Network> net, Schedule sch, Prediction pred, bool clip = false);

}  // namespace ddm
