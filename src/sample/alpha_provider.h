// Where a routed ensemble gets alpha_hat(x_n, t_n) (design.md sections 4-5): a MoG-a router,
// MoG-da's derivative integrated from the prior, or the exact posterior. Providers with
// per-trajectory state (the integrated alpha) are reset at the start of each batch.
#pragma once
#include <torch/types.h>

#include <memory>

#include "router/exact_posterior.h"
#include "router/router.h"

namespace ddm {

class AlphaProvider {
 public:
  virtual ~AlphaProvider() = default;
  virtual void begin(int64_t batch, torch::Device device) {}
  // alpha_hat [B, K] at the solver's current point; calls come in decreasing t within a batch.
  virtual torch::Tensor alpha(const torch::Tensor& x, double t) = 0;
};

// MoG-a: alpha_hat = softmax of the router's head.
class RouterAlpha : public AlphaProvider {
 public:
  explicit RouterAlpha(std::shared_ptr<const Router> r) : router_(std::move(r)) {}
  torch::Tensor alpha(const torch::Tensor& x, double t) override { return router_->alpha(x, t); }

 private:
  std::shared_ptr<const Router> router_;
};

// MoG-da: alpha(t_0) = pi, alpha_{n+1} = Proj(alpha_n + (t_{n+1} - t_n) g(x_n, t_n)),
// Proj = clamp at 0 and renormalise. The update for step n happens when the solver asks at
// t_{n+1}, so the solver need not know about it.
class IntegratedAlpha : public AlphaProvider {
 public:
  explicit IntegratedAlpha(std::shared_ptr<const Router> r) : router_(std::move(r)) {}
  void begin(int64_t batch, torch::Device device) override;
  torch::Tensor alpha(const torch::Tensor& x, double t) override;

 private:
  std::shared_ptr<const Router> router_;
  torch::Tensor alpha_, last_g_;
  double last_t_ = 0;
};

// The exact posterior of the training set (oracle).
class OracleAlpha : public AlphaProvider {
 public:
  explicit OracleAlpha(std::shared_ptr<const ExactPosterior> e) : exact_(std::move(e)) {}
  torch::Tensor alpha(const torch::Tensor& x, double t) override { return exact_->alpha(x, t).to(torch::kFloat32); }

 private:
  std::shared_ptr<const ExactPosterior> exact_;
};

}  // namespace ddm
