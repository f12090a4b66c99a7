// Functional-op layers and DDPM's initialisation (see layers.h).
#include "models/layers.h"

#include <ATen/autocast_mode.h>

#include <cmath>

#include "models/group_norm_nhwc.h"
#include "util/error.h"

namespace ddm::nn {
namespace {

// DDPM's default_init: variance_scaling(1, 'fan_avg', 'uniform').
torch::Tensor init_weight(std::vector<int64_t> shape, int64_t fan_in, int64_t fan_out, Init init) {
  if (init == Init::kZero) return torch::zeros(shape);
  const double limit = std::sqrt(3.0 * 1.0 / ((fan_in + fan_out) / 2.0));
  return torch::empty(shape).uniform_(-limit, limit);
}

}  // namespace

bool AutocastCopy::applies(const torch::Tensor& x) const {
  if (!weight.defined()) return false;
  const c10::DeviceType type = x.device().type();
  return at::autocast::is_autocast_enabled(type) && at::autocast::get_autocast_dtype(type) == weight.scalar_type();
}

void AutocastCopy::keep(const torch::Tensor& w, const torch::Tensor& b, torch::ScalarType dtype,
                        torch::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  weight = w.detach().to(dtype).contiguous(format);
  this->format = format;
  bias = b.detach().to(dtype);
}

Conv2d::Conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, Init init)
    : stride_(stride), padding_(padding < 0 ? kernel / 2 : padding) {
  weight_ = register_parameter(
      "weight", init_weight({out, in, kernel, kernel}, in * kernel * kernel, out * kernel * kernel, init));
  bias_ = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor Conv2d::forward(const torch::Tensor& x) const {
  // A one-channel input (the image) is NCHW and NHWC at once, and LibTorch then answers NCHW:
  // with channels-last copies the output is made NHWC so that the whole network stays NHWC.
  if (copy_.applies(x)) return torch::conv2d(x, copy_.weight, copy_.bias, stride_, padding_).contiguous(copy_.format);
  return torch::conv2d(x, weight_, bias_, stride_, padding_);
}

Linear::Linear(int64_t in, int64_t out, Init init) {
  weight_ = register_parameter("weight", init_weight({out, in}, in, out, init));
  bias_ = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor Linear::forward(const torch::Tensor& x) const {
  if (copy_.applies(x)) return torch::linear(x, copy_.weight, copy_.bias);
  return torch::linear(x, weight_, bias_);
}

GroupNorm::GroupNorm(int64_t groups, int64_t channels, double eps) : groups_(groups), eps_(eps) {
  weight_ = register_parameter("weight", torch::ones({channels}));
  bias_ = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor GroupNorm::forward(const torch::Tensor& x) const {
  if (group_norm_nhwc_applies(x)) return group_norm_nhwc(x, groups_, weight_, bias_, eps_);
  return torch::group_norm(x, groups_, weight_, bias_, eps_);
}

torch::Tensor GroupNorm::forward_silu(const torch::Tensor& x) const {
  if (group_norm_nhwc_applies(x)) return group_norm_nhwc(x, groups_, weight_, bias_, eps_, true);
  torch::Tensor h = torch::group_norm(x, groups_, weight_, bias_, eps_);
  return at::GradMode::is_enabled() ? torch::silu(h) : torch::silu_(h);
}

torch::Tensor timestep_embedding(const torch::Tensor& t, int64_t dim, const TimeEmbedding& style) {
  const int64_t half = dim / 2;
  require(static_cast<double>(half) > style.freq_shift,
          "time embedding: freq_shift (model.time_freq_shift) = {} must be below half its width, {}", style.freq_shift,
          half);
  // float32 (diffusers' embedding) for every time but float64 ones, which float64 networks get in
  // derivative checks against finite differences.
  const auto dtype = t.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
  const auto opts = torch::TensorOptions().dtype(dtype).device(t.device());
  const torch::Tensor freqs =
      torch::exp(torch::arange(half, opts) * -std::log(10000.0) / (static_cast<double>(half) - style.freq_shift));
  const torch::Tensor args = (t.to(dtype) * 1000.0).unsqueeze(1) * freqs.unsqueeze(0);
  torch::Tensor emb = style.flip_sin_to_cos ? torch::cat({torch::cos(args), torch::sin(args)}, 1)
                                            : torch::cat({torch::sin(args), torch::cos(args)}, 1);
  if (dim % 2 == 1) emb = torch::constant_pad_nd(emb, {0, 1});
  return emb;
}

}  // namespace ddm::nn
