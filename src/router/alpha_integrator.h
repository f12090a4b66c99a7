// MoG-da's integrated alpha along one batch of trajectories (design.md section 4), fed the
// derivative network's outputs at each grid point t_0 = 1 > t_1 > ... in turn:
//   logit    : z_0 = log pi, z_{n+1} = z_n + (t_{n+1} - t_n) c_hat(x_n, t_n), alpha = softmax(z)
//   corrected: the logit step, then z <- (1 - g) z + g log_softmax(alpha head at x_{n+1}), with
//              g = 1 - exp(-rate |t_{n+1} - t_n|): a relaxation toward the head at a fixed rate
//              per unit t, so the blend does not depend on N (sample.correction = rate)
// The same object serves sampling (sample/alpha_provider), `ddm router-check` and the trainer's
// evaluation, so all three integrate exactly alike.
#pragma once
#include <torch/types.h>

#include "router/router_net.h"

namespace ddm {

enum class IntegrationMode { kLogit, kCorrected };

class AlphaIntegrator {
 public:
  explicit AlphaIntegrator(IntegrationMode mode, double rate = 5.0);
  // New trajectories starting from the prior rows [B, K].
  void begin(const torch::Tensor& prior);
  // alpha at grid point t, given the network's outputs `out` at (x(t), t); calls come in
  // decreasing t. `out` needs `velocity`, and `logits` when corrected.
  torch::Tensor at(const RouterOut& out, double t);
  // alpha at t between the last grid point and the next one (a higher-order solver's second
  // evaluation), by the same step from the last point's outputs, without advancing the state.
  // corrected: relaxes toward the last point's alpha head (the one at t is not evaluated).
  torch::Tensor peek(double t) const;

 private:
  torch::Tensor advanced(double t, const torch::Tensor& head) const;

  IntegrationMode mode_;
  double rate_;
  torch::Tensor state_;  // the integrated logits z
  RouterOut last_;
  double last_t_ = 0;
  bool started_ = false;
};

}  // namespace ddm
