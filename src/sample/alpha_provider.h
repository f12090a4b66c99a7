// Where a routed ensemble gets alpha_hat(x_n, t_n) (design.md sections 4-5): a router's alpha
// head, MoG-da's derivative integrated from the prior (router/alpha_integrator: logit space,
// corrected toward the alpha head, or the first alpha-space projected form), or the exact
// posterior. Providers with per-trajectory state (the integrated alpha) are reset at the start
// of each batch and advance once per solver step, at its start point (diffusion/solvers.h).
#pragma once
#include <torch/types.h>

#include <functional>
#include <memory>
#include <vector>

#include "config/enums.h"
#include "diffusion/solvers.h"
#include "router/alpha_integrator.h"
#include "router/exact_posterior.h"
#include "router/router.h"

namespace ddm {

class AlphaProvider {
 public:
  virtual ~AlphaProvider() = default;
  virtual void begin(int64_t batch, torch::Device device) {}
  // alpha_hat [B, K] at an evaluation (x, t) of solver step `step`.
  virtual torch::Tensor alpha(const torch::Tensor& x, double t, const StepPoint& step) = 0;
};

// alpha_hat = softmax of a router's alpha head (MoG-a; or MoG-da's own head).
class RouterAlpha : public AlphaProvider {
 public:
  explicit RouterAlpha(std::shared_ptr<const Router> r) : router_(std::move(r)) {}
  torch::Tensor alpha(const torch::Tensor& x, double t, const StepPoint&) override { return router_->alpha(x, t); }

 private:
  std::shared_ptr<const Router> router_;
};

// What an integrated alpha reads at (x, t): a derivative network's outputs (or the exact ones).
using DerivativeSource = std::function<RouterOut(const torch::Tensor& x, double t)>;

// MoG-da: alpha integrated from the prior along the trajectory. At step n's start point it reads
// the derivative network at (x_n, t_n) and takes the integration step t_{n-1} -> t_n (once per
// step); a further evaluation inside the step (Heun's) extrapolates from the start point without
// reading the network or advancing.
class IntegratedAlpha : public AlphaProvider {
 public:
  IntegratedAlpha(DerivativeSource source, std::vector<double> priors, IntegrationMode mode, double rate = 5.0);
  void begin(int64_t batch, torch::Device device) override;
  torch::Tensor alpha(const torch::Tensor& x, double t, const StepPoint& step) override {
    return step.start ? integrator_.at(source_(x, t), t) : integrator_.peek(t);
  }

 private:
  DerivativeSource source_;
  std::vector<double> priors_;
  AlphaIntegrator integrator_;
};

// The exact posterior of the training set (oracle), in the state's precision: float32 for image
// sampling as before, float64 for `ddm theory`'s float64 paths, where a float32 alpha would put a
// 1e-7 relative floor under every error the convergence study measures.
class OracleAlpha : public AlphaProvider {
 public:
  explicit OracleAlpha(std::shared_ptr<const ExactPosterior> e) : exact_(std::move(e)) {}
  torch::Tensor alpha(const torch::Tensor& x, double t, const StepPoint&) override {
    return exact_->alpha(x, t).to(x.scalar_type());
  }

 private:
  std::shared_ptr<const ExactPosterior> exact_;
};

// The exact logits (log alpha) and logit velocity c as a derivative source: `integrated-exact`,
// the integration scheme without learning error.
DerivativeSource exact_derivative(std::shared_ptr<const ExactPosterior> exact);

// The provider for `sample.alpha` (`rate`: sample.correction). `router` must be the router that
// source reads (MoG-a for `router`, MoG-da for the integrated ones); `exact` for `oracle`.
std::shared_ptr<AlphaProvider> make_alpha_provider(AlphaSource source, std::shared_ptr<const Router> router,
                                                   std::shared_ptr<const ExactPosterior> exact, double rate);

}  // namespace ddm
