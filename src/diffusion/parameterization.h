// What a network predicts (eps, x0 or v) and how that becomes the denoiser D, the training
// target and the PF-ODE velocity (design.md section 1). a, s are a(t), s(t) broadcastable to x.
#pragma once
#include <torch/types.h>

#include "config/enums.h"
#include "diffusion/schedule.h"

namespace ddm {

// v-prediction's v = a eps - s x0 (Salimans & Ho).
torch::Tensor prediction_target(Prediction p, const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& a,
                                const torch::Tensor& s);
// D(x, t) from the network output.
torch::Tensor denoised_from_output(Prediction p, const torch::Tensor& out, const torch::Tensor& x,
                                   const torch::Tensor& a, const torch::Tensor& s);
// eps_hat = (x - a D) / s.
torch::Tensor eps_from_denoised(const torch::Tensor& x, const torch::Tensor& d, double a, double s);
// v = a' D + s' eps_hat.
torch::Tensor velocity_from_denoised(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t);
// The same at per-sample times t [B] (schedule in float64, the result in x's dtype).
torch::Tensor velocity_from_denoised(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d,
                                     const torch::Tensor& t);
// Times as a column that broadcasts against x ([B] -> [B, 1, ...]).
torch::Tensor as_column(const torch::Tensor& per_sample, int64_t dim);

}  // namespace ddm
