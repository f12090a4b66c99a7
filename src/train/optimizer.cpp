// torch::optim's Adam/AdamW with ddm's checkpoints and warm-up (see optimizer.h).
#include "train/optimizer.h"

#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/error.h"
#include "util/format.h"

namespace ddm {

namespace {

// Adam's and AdamW's states hold the same fields under two unrelated types.
template <class State>
void put_state(const torch::optim::OptimizerParamState& s, Checkpoint& ckpt, const std::string& name) {
  const auto& st = static_cast<const State&>(s);
  ckpt.put(name + ".step", torch::tensor(st.step(), torch::kInt64));
  ckpt.put(name + ".exp_avg", st.exp_avg());
  ckpt.put(name + ".exp_avg_sq", st.exp_avg_sq());
}

template <class State>
std::unique_ptr<torch::optim::OptimizerParamState> make_state(int64_t step, const torch::Tensor& exp_avg,
                                                              const torch::Tensor& exp_avg_sq) {
  auto st = std::make_unique<State>();
  st->step(step);
  st->exp_avg(exp_avg);
  st->exp_avg_sq(exp_avg_sq);
  return st;
}

}  // namespace

Optimizer::Optimizer(const torch::OrderedDict<std::string, torch::Tensor>& params, const TrainConfig& cfg)
    : names_(params.keys()), params_(params.values()), kind_(cfg.optimizer), grad_clip_(cfg.grad_clip) {
  const auto betas = std::make_tuple(cfg.beta1, cfg.beta2);
  if (kind_ == OptimizerKind::kAdamW)
    opt_ = std::make_unique<torch::optim::AdamW>(
        params_, torch::optim::AdamWOptions(cfg.lr).betas(betas).eps(cfg.adam_eps).weight_decay(cfg.weight_decay));
  else
    opt_ = std::make_unique<torch::optim::Adam>(
        params_, torch::optim::AdamOptions(cfg.lr).betas(betas).eps(cfg.adam_eps).weight_decay(cfg.weight_decay));
}

double Optimizer::clip_grad_norm() {
  // An infinite bound scales by exactly 1, so the norm is reported and the gradients unchanged.
  const double bound = grad_clip_ > 0 ? grad_clip_ : std::numeric_limits<double>::infinity();
  return torch::nn::utils::clip_grad_norm_(params_, bound);
}

void Optimizer::step(double lr) {
  for (auto& group : opt_->param_groups()) group.options().set_lr(lr);
  opt_->step();
}

void Optimizer::save(Checkpoint& ckpt, const std::string& prefix) const {
  const auto& state = opt_->state();
  for (size_t i = 0; i < params_.size(); ++i) {
    const auto it = state.find(params_[i].unsafeGetTensorImpl());
    if (it == state.end()) continue;  // never updated (no gradient yet)
    if (kind_ == OptimizerKind::kAdamW)
      put_state<torch::optim::AdamWParamState>(*it->second, ckpt, prefix + names_[i]);
    else
      put_state<torch::optim::AdamParamState>(*it->second, ckpt, prefix + names_[i]);
  }
}

void Optimizer::load(const Checkpoint& ckpt, const std::string& prefix) {
  torch::NoGradGuard no_grad;
  const bool legacy = ckpt.has(prefix + "m.0");
  auto& state = opt_->state();
  state.clear();
  for (size_t i = 0; i < params_.size(); ++i) {
    const std::string name = legacy ? format("{}m.{}", prefix, i) : prefix + names_[i] + ".exp_avg";
    if (!legacy && !ckpt.has(name)) continue;
    const torch::Tensor& p = params_[i];
    auto like_p = [&](const std::string& key) {
      const torch::Tensor& t = ckpt.get(key);
      require(t.sizes() == p.sizes(), "{}: optimiser state '{}' has shape {} but the parameter {} has {}", ckpt.source,
              key, t.sizes(), names_[i], p.sizes());
      return torch::empty_like(p, torch::MemoryFormat::Preserve).copy_(t);
    };
    const torch::Tensor m = like_p(name);
    const torch::Tensor v = like_p(legacy ? format("{}v.{}", prefix, i) : prefix + names_[i] + ".exp_avg_sq");
    const int64_t step = ckpt.get(legacy ? prefix + "step" : prefix + names_[i] + ".step").item<int64_t>();
    state[p.unsafeGetTensorImpl()] = kind_ == OptimizerKind::kAdamW
                                         ? make_state<torch::optim::AdamWParamState>(step, m, v)
                                         : make_state<torch::optim::AdamParamState>(step, m, v);
  }
}

double scheduled_lr(double lr, int64_t warmup, LrSchedule schedule, int64_t step, int64_t total) {
  if (step < warmup) return lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (schedule == LrSchedule::kConstant || total <= warmup) return lr;
  const double p = std::clamp(static_cast<double>(step - warmup) / static_cast<double>(total - warmup), 0.0, 1.0);
  return schedule == LrSchedule::kLinear ? lr * (1 - p) : lr * 0.5 * (1 + std::cos(M_PI * p));
}

double learning_rate(const TrainConfig& cfg, int64_t step) {
  if (cfg.warmup <= 0) return cfg.lr;
  return cfg.lr * std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(cfg.warmup));
}

}  // namespace ddm
