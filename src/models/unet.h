// The DDPM U-Net (Ho et al. 2020; the network DDIM samples from): a sinusoidal time embedding of
// width 4 x channels, levels of residual blocks with GroupNorm and SiLU, self-attention at chosen
// resolutions, strided-conv down-sampling (TensorFlow's SAME padding as DDPM, or symmetric for
// ddm's older networks) and nearest+conv up-sampling, skip connections from every down-path
// output. With channels 128, multipliers 1,2,2,2, 2 blocks, attention at 16 it has the published
// 35,746,307 parameters. It also computes diffusers' UNet2DModel variants: the time embedding's
// order and frequency shift, GroupNorm's epsilon, multi-head attention and scale-shift time
// conditioning (docs/interop.md lists them).
#pragma once
#include <memory>
#include <vector>

#include "config/enums.h"
#include "config/model_config.h"
#include "models/layers.h"
#include "models/network.h"

namespace ddm {

struct UNetOptions {
  int64_t in_channels = 3;
  int64_t resolution = 32;
  int64_t channels = 128;
  std::vector<int> channel_mult{1, 2, 2, 2};
  int num_res_blocks = 2;
  std::vector<int> attn_resolutions{16};
  double dropout = 0.1;
  int64_t groups = 32;
  DownsamplePadding downsample_padding = DownsamplePadding::kSame;
  // UNet2DModel's options (interop/diffusers_unet.h); the defaults are DDPM's.
  double norm_eps = 1e-6;
  int attn_head_dim = 0;  // 0: one head of all channels
  nn::TimeEmbedding time;
  bool time_scale_shift = false;  // and then the middle attention has no GroupNorm, as in diffusers
  bool encoder_only = false;      // build the down path and middle only (the router's encoder)
};

// The U-Net options that `model.*` and the data's sample shape [C, H, W] describe.
UNetOptions unet_options(const ModelConfig& cfg, const std::vector<int64_t>& sample_shape);

class ResBlock;
class AttnBlock;

class UNet : public Network {
 public:
  explicit UNet(const UNetOptions& o);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t) override;
  // The down path and middle only (the router's encoder): returns the pooled
  // [B, channels x last multiplier] feature.
  torch::Tensor encode(const torch::Tensor& x, const torch::Tensor& t);
  int64_t encoder_width() const { return mid_channels_; }

 private:
  torch::Tensor embed_time(const torch::Tensor& t);
  torch::Tensor downsample(size_t level, const torch::Tensor& h);
  // Runs the down path; fills `skips` when given.
  torch::Tensor down_path(const torch::Tensor& x, const torch::Tensor& temb, std::vector<torch::Tensor>* skips);

  UNetOptions o_;
  int64_t mid_channels_ = 0;
  std::shared_ptr<nn::Linear> temb0_, temb1_;
  std::shared_ptr<nn::Conv2d> conv_in_, conv_out_;
  std::shared_ptr<nn::GroupNorm> norm_out_;
  // One entry per down/up block, in execution order; attention slots are null where absent.
  std::vector<std::shared_ptr<ResBlock>> down_blocks_, up_blocks_;
  std::vector<std::shared_ptr<AttnBlock>> down_attn_, up_attn_;
  std::vector<std::shared_ptr<nn::Conv2d>> downsample_, upsample_;  // per level (null at the last/first)
  std::shared_ptr<ResBlock> mid1_, mid2_;
  std::shared_ptr<AttnBlock> mid_attn_;
};

}  // namespace ddm
