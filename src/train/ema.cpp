// EMA update (see ema.h).
#include "train/ema.h"

#include <algorithm>

namespace ddm {

Ema::Ema(std::shared_ptr<torch::nn::Module> shadow, double decay) : shadow_(std::move(shadow)), decay_(decay) {
  shadow_->eval();
  for (auto& p : shadow_->parameters()) p.set_requires_grad(false);
}

void copy_parameters(const torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  const auto src = from.parameters();
  auto dst = to.parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
}

void Ema::reset(const torch::nn::Module& model) { copy_parameters(model, *shadow_); }

double Ema::decay_at(int64_t step) const {
  return std::min(decay_, (1.0 + static_cast<double>(step)) / (10.0 + static_cast<double>(step)));
}

void Ema::update(const torch::nn::Module& model, int64_t step) {
  torch::NoGradGuard no_grad;
  const double d = decay_at(step);
  const auto src = model.parameters();
  auto dst = shadow_->parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].lerp_(src[i], 1.0 - d);
}

}  // namespace ddm
