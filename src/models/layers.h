// The few layers the networks need, written on ATen's functional ops (conv2d, group_norm, ...)
// so that only <torch/nn/module.h> is needed and parameter names stay ours ("weight", "bias").
// Initialisation follows DDPM: variance scaling (fan average, uniform); layers that end a
// residual branch start at zero so that every block begins as the identity.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

namespace ddm::nn {

enum class Init { kDefault, kZero };

class Conv2d : public torch::nn::Module {
 public:
  Conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = -1, Init init = Init::kDefault);
  torch::Tensor forward(const torch::Tensor& x) const;

 private:
  torch::Tensor weight_, bias_;
  int64_t stride_, padding_;
};

class Linear : public torch::nn::Module {
 public:
  Linear(int64_t in, int64_t out, Init init = Init::kDefault);
  torch::Tensor forward(const torch::Tensor& x) const;
  torch::Tensor& weight() { return weight_; }  // [out, in], for callers that set it by hand

 private:
  torch::Tensor weight_, bias_;
};

class GroupNorm : public torch::nn::Module {
 public:
  GroupNorm(int64_t groups, int64_t channels);
  torch::Tensor forward(const torch::Tensor& x) const;

 private:
  int64_t groups_;
  torch::Tensor weight_, bias_;
};

// Transformer-style sinusoidal embedding of a scalar time (DDPM: of the step index, here of
// 1000 t so that continuous time matches the published frequencies). t: [B] -> [B, dim].
torch::Tensor timestep_embedding(const torch::Tensor& t, int64_t dim);

}  // namespace ddm::nn
