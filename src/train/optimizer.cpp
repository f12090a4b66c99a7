// Adam/AdamW update (Kingma & Ba, Loshchilov & Hutter), warm-up and clipping (see optimizer.h).
#include "train/optimizer.h"

#include <cmath>

#include "util/error.h"

namespace ddm {

Adam::Adam(std::vector<torch::Tensor> params, const TrainConfig& cfg)
    : params_(std::move(params)),
      kind_(cfg.optimizer),
      beta1_(cfg.beta1),
      beta2_(cfg.beta2),
      eps_(cfg.adam_eps),
      weight_decay_(cfg.weight_decay) {
  for (const auto& p : params_) {
    m_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    v_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
  }
}

void Adam::step(double lr) {
  torch::NoGradGuard no_grad;
  ++step_;
  const double bc1 = 1 - std::pow(beta1_, static_cast<double>(step_));
  const double bc2 = 1 - std::pow(beta2_, static_cast<double>(step_));
  for (size_t i = 0; i < params_.size(); ++i) {
    torch::Tensor& p = params_[i];
    if (!p.grad().defined()) continue;
    torch::Tensor g = p.grad();
    if (weight_decay_ > 0) {
      if (kind_ == OptimizerKind::kAdamW) p.mul_(1 - lr * weight_decay_);  // decoupled
      else g = g + weight_decay_ * p;                                       // L2 in the gradient
    }
    m_[i].mul_(beta1_).add_(g, 1 - beta1_);
    v_[i].mul_(beta2_).addcmul_(g, g, 1 - beta2_);
    const torch::Tensor denom = (v_[i] / bc2).sqrt_().add_(eps_);
    p.addcdiv_(m_[i], denom, -lr / bc1);
  }
}

void Adam::zero_grad() {
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

void Adam::save(Checkpoint& ckpt, const std::string& prefix) const {
  ckpt.put(prefix + "step", torch::tensor(step_, torch::kInt64));
  for (size_t i = 0; i < params_.size(); ++i) {
    ckpt.put(format("{}m.{}", prefix, i), m_[i]);
    ckpt.put(format("{}v.{}", prefix, i), v_[i]);
  }
}

void Adam::load(const Checkpoint& ckpt, const std::string& prefix) {
  torch::NoGradGuard no_grad;
  step_ = ckpt.get(prefix + "step").item<int64_t>();
  for (size_t i = 0; i < params_.size(); ++i) {
    const auto& m = ckpt.get(format("{}m.{}", prefix, i));
    require(m.sizes() == m_[i].sizes(), "{}: optimizer state {} has another shape than the model's parameter", ckpt.source, i);
    m_[i].copy_(m);
    v_[i].copy_(ckpt.get(format("{}v.{}", prefix, i)));
  }
}

double learning_rate(const TrainConfig& cfg, int64_t step) {
  if (cfg.warmup <= 0) return cfg.lr;
  return cfg.lr * std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(cfg.warmup));
}

double clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> norms;
  for (const auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().norm(2).to(torch::kFloat64));
  if (norms.empty()) return 0.0;
  const double total = torch::stack(norms).norm(2).item<double>();
  if (max_norm > 0 && total > max_norm && std::isfinite(total)) {
    const double scale = max_norm / (total + 1e-6);
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(scale);
  }
  return total;
}

}  // namespace ddm
