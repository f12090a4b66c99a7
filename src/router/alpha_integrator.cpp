// MoG-da's integrated alpha (see alpha_integrator.h).
#include "router/alpha_integrator.h"

#include <cmath>

#include "router/alpha_dynamics.h"
#include "util/error.h"

namespace ddm {

AlphaIntegrator::AlphaIntegrator(IntegrationMode mode, double rate) : mode_(mode), rate_(rate) {}

void AlphaIntegrator::begin(const torch::Tensor& prior) {
  state_ = torch::log(prior.clamp_min(1e-30));
  started_ = false;
}

// The state advanced from the last grid point to t with the last point's derivative; `head`:
// the alpha-head logits the corrected form relaxes toward.
torch::Tensor AlphaIntegrator::advanced(double t, const torch::Tensor& head) const {
  const double dt = t - last_t_;
  require(last_.velocity.defined(), "alpha integrator: the logit step needs a logit-velocity head");
  const torch::Tensor z = logit_step(state_, last_.velocity, dt);
  return mode_ == IntegrationMode::kCorrected ? corrected_logits(z, head, 1 - std::exp(-rate_ * std::fabs(dt))) : z;
}

torch::Tensor AlphaIntegrator::at(const RouterOut& out, double t) {
  require(state_.defined(), "alpha integrator: begin() was not called");
  if (started_) state_ = advanced(t, out.logits);
  last_ = out;
  last_t_ = t;
  started_ = true;
  return torch::softmax(state_, 1);
}

torch::Tensor AlphaIntegrator::peek(double t) const {
  require(started_, "alpha integrator: peek() before the first grid point");
  return torch::softmax(advanced(t, last_.logits), 1);
}

}  // namespace ddm
