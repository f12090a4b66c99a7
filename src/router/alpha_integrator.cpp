// MoG-da's integrated alpha (see alpha_integrator.h).
#include "router/alpha_integrator.h"

#include <cmath>

#include "router/alpha_dynamics.h"
#include "util/error.h"

namespace ddm {

AlphaIntegrator::AlphaIntegrator(IntegrationMode mode, double rate) : mode_(mode), rate_(rate) {}

void AlphaIntegrator::begin(const torch::Tensor& prior) {
  state_ = mode_ == IntegrationMode::kProjected ? prior.clone() : torch::log(prior.clamp_min(1e-30));
  started_ = false;
}

torch::Tensor AlphaIntegrator::at(const RouterOut& out, double t) {
  require(state_.defined(), "alpha integrator: begin() was not called");
  if (started_) {
    const double dt = t - last_t_;
    if (mode_ == IntegrationMode::kProjected) {
      require(last_.dalpha.defined(), "alpha integrator: the projected step needs a raw derivative head");
      state_ = projected_alpha_step(state_, last_.dalpha, dt);
    } else {
      require(last_.velocity.defined(), "alpha integrator: the logit step needs a logit-velocity head");
      state_ = logit_step(state_, last_.velocity, dt);
      if (mode_ == IntegrationMode::kCorrected) state_ = corrected_logits(state_, out.logits, 1 - std::exp(-rate_ * std::fabs(dt)));
    }
  }
  last_ = out;
  last_t_ = t;
  started_ = true;
  return mode_ == IntegrationMode::kProjected ? state_ : torch::softmax(state_, 1);
}

}  // namespace ddm
