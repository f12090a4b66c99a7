// Exponential moving average of a network's weights (the weights a DDPM samples with), kept as a
// second network of the same architecture. The decay ramps up as min(decay, (1 + n) / (10 + n))
// so that short runs get a usable average too.
#pragma once
#include <torch/nn/module.h>

#include <memory>

namespace ddm {

// Copies `from`'s parameters into `to` (same architecture), without autograd.
void copy_parameters(const torch::nn::Module& from, torch::nn::Module& to);

class Ema {
 public:
  Ema(std::shared_ptr<torch::nn::Module> shadow, double decay);
  // Copies the model's weights into the shadow (at the start of training).
  void reset(const torch::nn::Module& model);
  void update(const torch::nn::Module& model, int64_t step);
  double decay_at(int64_t step) const;
  torch::nn::Module& shadow() { return *shadow_; }
  const std::shared_ptr<torch::nn::Module>& shadow_ptr() const { return shadow_; }

 private:
  std::shared_ptr<torch::nn::Module> shadow_;
  double decay_;
};

}  // namespace ddm
