// The few layers the networks need, written on ATen's functional ops (conv2d, group_norm, ...)
// so that only <torch/nn/module.h> is needed and parameter names stay ours ("weight", "bias").
// Initialisation follows DDPM: variance scaling (fan average, uniform); layers that end a
// residual branch start at zero so that every block begins as the identity.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

namespace ddm::nn {

enum class Init { kDefault, kZero };

// A layer's weights cast once for autocast inference: while autocast to `dtype` is on
// for the input's device, forward uses these instead of letting autocast cast the fp32 weights
// on every call, which on a CPU cost more than small convolutions themselves. The values are
// autocast's own cast; only a network that no longer trains may keep them (they go stale).
struct AutocastCopy {
  torch::Tensor weight, bias;
  torch::MemoryFormat format = torch::MemoryFormat::Contiguous;
  bool applies(const torch::Tensor& x) const;
  void keep(const torch::Tensor& w, const torch::Tensor& b, torch::ScalarType dtype, torch::MemoryFormat format);
};

class Conv2d : public torch::nn::Module {
 public:
  Conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = -1, Init init = Init::kDefault);
  torch::Tensor forward(const torch::Tensor& x) const;
  void keep_autocast_copy(torch::ScalarType dtype, torch::MemoryFormat format) {
    copy_.keep(weight_, bias_, dtype, format);
  }

 private:
  torch::Tensor weight_, bias_;
  AutocastCopy copy_;
  int64_t stride_, padding_;
};

class Linear : public torch::nn::Module {
 public:
  Linear(int64_t in, int64_t out, Init init = Init::kDefault);
  torch::Tensor forward(const torch::Tensor& x) const;
  torch::Tensor& weight() { return weight_; }  // [out, in], for callers that set it by hand
  void keep_autocast_copy(torch::ScalarType dtype) {
    copy_.keep(weight_, bias_, dtype, torch::MemoryFormat::Contiguous);
  }

 private:
  torch::Tensor weight_, bias_;
  AutocastCopy copy_;
};

class GroupNorm : public torch::nn::Module {
 public:
  GroupNorm(int64_t groups, int64_t channels, double eps = 1e-6);
  torch::Tensor forward(const torch::Tensor& x) const;
  // silu(forward(x)): one pass for channels-last inference (group_norm_nhwc), in place on the
  // fresh normalised tensor when no gradient is recorded, otherwise out of place.
  torch::Tensor forward_silu(const torch::Tensor& x) const;

 private:
  int64_t groups_;
  double eps_;
  torch::Tensor weight_, bias_;
};

// The sinusoidal embedding's two conventions: DDPM's [sin, cos] with frequencies
// 1e4^(-i / (half - 1)), and diffusers' Timesteps(flip_sin_to_cos, downscale_freq_shift), whose
// UNet2DModel default is [cos, sin] with 1e4^(-i / half).
struct TimeEmbedding {
  bool flip_sin_to_cos = false;
  double freq_shift = 1;
};
// Transformer-style sinusoidal embedding of a scalar time (DDPM: of the step index, here of
// 1000 t so that continuous time matches the published frequencies). t: [B] -> [B, dim].
torch::Tensor timestep_embedding(const torch::Tensor& t, int64_t dim, const TimeEmbedding& style = {});

}  // namespace ddm::nn
