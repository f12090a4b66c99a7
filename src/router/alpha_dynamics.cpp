// Formulas of alpha's time evolution (see alpha_dynamics.h; design.md section 4).
#include "router/alpha_dynamics.h"

namespace ddm {

torch::Tensor dalpha_from_velocity(const torch::Tensor& alpha, const torch::Tensor& c) {
  return alpha * (c - (alpha * c).sum(1, true));
}

torch::Tensor logit_step(const torch::Tensor& z, const torch::Tensor& c, double dt) { return z + dt * c; }

torch::Tensor corrected_logits(const torch::Tensor& z, const torch::Tensor& head_logits, double gain) {
  return (1 - gain) * torch::log_softmax(z, 1) + gain * torch::log_softmax(head_logits, 1);
}

torch::Tensor velocity_error(const torch::Tensor& w, const torch::Tensor& c_hat, const torch::Tensor& c) {
  const torch::Tensor e = c_hat - c;
  return (w * (e - (w * e).sum(1, true)).pow(2)).sum(1);
}

torch::Tensor total_variation(const torch::Tensor& p, const torch::Tensor& q) { return 0.5 * (p - q).abs().sum(1); }

}  // namespace ddm
