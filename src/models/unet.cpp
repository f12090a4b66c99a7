// The DDPM U-Net (see unet.h), with DDPM's block structure and initialisation.
#include "models/unet.h"

#include <algorithm>

#include "models/speed_settings.h"
#include "util/error.h"

namespace ddm {

// The time embedding's linear layers run in fp32 even under bf16 autocast: they see one row per
// sample, where a bf16 GEMM costs several times an fp32 one on a CPU (50 vs 7 us at 6 x 128 ->
// 64, PyTorch 2.13, one thread) and their FLOPs are negligible either way.
torch::Tensor fp32_linear(const nn::Linear& layer, const torch::Tensor& x) {
  const AutocastScope fp32(false, x.device());
  return layer.forward(x.to(torch::kFloat32));
}

// GroupNorm -> SiLU -> conv -> + time projection -> GroupNorm -> SiLU -> dropout -> conv (zero
// init), plus a 1x1 shortcut when the width changes. With scale-shift conditioning the time
// projection gives (scale, shift) and the second GroupNorm's output becomes norm (1 + scale) + shift
// (diffusers' ResnetBlock2D, time_embedding_norm="scale_shift").
class ResBlock : public torch::nn::Module {
 public:
  ResBlock(int64_t in, int64_t out, int64_t temb, const UNetOptions& o)
      : dropout_(o.dropout), scale_shift_(o.time_scale_shift) {
    norm1_ = register_module("norm1", std::make_shared<nn::GroupNorm>(o.groups, in, o.norm_eps));
    conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(in, out, 3));
    temb_ = register_module("temb_proj", std::make_shared<nn::Linear>(temb, scale_shift_ ? 2 * out : out));
    norm2_ = register_module("norm2", std::make_shared<nn::GroupNorm>(o.groups, out, o.norm_eps));
    conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(out, out, 3, 1, -1, nn::Init::kZero));
    if (in != out) skip_ = register_module("skip", std::make_shared<nn::Conv2d>(in, out, 1));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb_act) {
    // conv outputs are fresh: the additions go in place (autograd needs neither operand).
    torch::Tensor h = conv1_->forward(norm1_->forward_silu(x));
    const torch::Tensor tp = fp32_linear(*temb_, temb_act).to(h.scalar_type()).unsqueeze(-1).unsqueeze(-1);
    if (scale_shift_) {
      const auto ss = tp.chunk(2, 1);
      h = torch::silu(torch::addcmul(ss[1], norm2_->forward(h), ss[0] + 1));
    } else {
      h = norm2_->forward_silu(h.add_(tp));
    }
    if (dropout_ > 0) h = torch::dropout(h, dropout_, is_training());
    h = conv2_->forward(h);
    return h.add_(skip_ ? skip_->forward(x) : x);
  }

 private:
  double dropout_;
  bool scale_shift_;
  std::shared_ptr<nn::GroupNorm> norm1_, norm2_;
  std::shared_ptr<nn::Conv2d> conv1_, conv2_, skip_;
  std::shared_ptr<nn::Linear> temb_;
};

// Self-attention over the H x W positions in heads of attn_head_dim channels (one head of all
// channels when 0), with 1x1 q, k, v and output projections; `norm`: GroupNorm the input first.
class AttnBlock : public torch::nn::Module {
 public:
  AttnBlock(int64_t ch, const UNetOptions& o, bool norm) {
    require(o.attn_head_dim == 0 || ch % o.attn_head_dim == 0,
            "unet: model.attn_head_dim = {} does not divide the {} channels of an attention block", o.attn_head_dim,
            ch);
    heads_ = o.attn_head_dim == 0 ? 1 : ch / o.attn_head_dim;
    if (norm) norm_ = register_module("norm", std::make_shared<nn::GroupNorm>(o.groups, ch, o.norm_eps));
    q_ = register_module("q", std::make_shared<nn::Conv2d>(ch, ch, 1));
    k_ = register_module("k", std::make_shared<nn::Conv2d>(ch, ch, 1));
    v_ = register_module("v", std::make_shared<nn::Conv2d>(ch, ch, 1));
    proj_ = register_module("proj", std::make_shared<nn::Conv2d>(ch, ch, 1, 1, -1, nn::Init::kZero));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), d = c / heads_;
    const torch::Tensor n = norm_ ? norm_->forward(x) : x;
    // [B, heads, HW, d] tokens (channel = head d + j) and back: views of channels-last
    // activations, transposes of NCHW ones.
    const bool nhwc = !x.is_contiguous() && x.is_contiguous(torch::MemoryFormat::ChannelsLast);
    auto tokens = [&](const torch::Tensor& t) {
      return nhwc ? t.permute({0, 2, 3, 1}).reshape({b, h * w, heads_, d}).transpose(1, 2)
                  : t.reshape({b, heads_, d, h * w}).transpose(2, 3);
    };
    torch::Tensor a =
        at::scaled_dot_product_attention(tokens(q_->forward(n)), tokens(k_->forward(n)), tokens(v_->forward(n)));
    a = nhwc ? a.transpose(1, 2).reshape({b, h, w, c}).permute({0, 3, 1, 2}) : a.transpose(2, 3).reshape({b, c, h, w});
    return x + proj_->forward(a);
  }

 private:
  int64_t heads_ = 1;
  std::shared_ptr<nn::GroupNorm> norm_;
  std::shared_ptr<nn::Conv2d> q_, k_, v_, proj_;
};

namespace {
bool has_attention(const UNetOptions& o, int64_t res) {
  return std::find(o.attn_resolutions.begin(), o.attn_resolutions.end(), static_cast<int>(res)) !=
         o.attn_resolutions.end();
}
// Spatial size after a stride-2, padding-1, 3x3 convolution.
int64_t downsampled(int64_t r) { return (r - 1) / 2 + 1; }
}  // namespace

UNet::UNet(const UNetOptions& o) : o_(o) {
  require(!o.channel_mult.empty(), "unet: channel_mult is empty");
  require(o.channels % o.groups == 0, "unet: channels ({}) must be a multiple of groups ({})", o.channels, o.groups);
  const int64_t ch = o.channels, temb = 4 * ch;
  const int levels = static_cast<int>(o.channel_mult.size());
  temb0_ = register_module("temb0", std::make_shared<nn::Linear>(ch, temb));
  temb1_ = register_module("temb1", std::make_shared<nn::Linear>(temb, temb));
  conv_in_ = register_module("conv_in", std::make_shared<nn::Conv2d>(o.in_channels, ch, 3));

  std::vector<int64_t> level_res{o.resolution};  // feature-map size at each level
  for (int i = 1; i < levels; ++i) level_res.push_back(downsampled(level_res.back()));
  std::vector<int64_t> skip_ch{ch};
  int64_t cur = ch;
  for (int i = 0; i < levels; ++i) {
    const int64_t res = level_res[i];
    const int64_t out = ch * o.channel_mult[i];
    for (int j = 0; j < o.num_res_blocks; ++j) {
      down_blocks_.push_back(
          register_module(format("down{}_block{}", i, j), std::make_shared<ResBlock>(cur, out, temb, o)));
      down_attn_.push_back(has_attention(o, res) ? register_module(format("down{}_attn{}", i, j),
                                                                   std::make_shared<AttnBlock>(out, o, true))
                                                 : nullptr);
      cur = out;
      skip_ch.push_back(cur);
    }
    if (i + 1 < levels) {
      const int64_t pad = o.downsample_padding == DownsamplePadding::kSymmetric ? 1 : 0;  // `same` pads in downsample()
      downsample_.push_back(
          register_module(format("down{}_downsample", i), std::make_shared<nn::Conv2d>(cur, cur, 3, 2, pad)));
      skip_ch.push_back(cur);
    } else {
      downsample_.push_back(nullptr);
    }
  }
  mid_channels_ = cur;
  mid1_ = register_module("mid_block1", std::make_shared<ResBlock>(cur, cur, temb, o));
  mid_attn_ = register_module("mid_attn", std::make_shared<AttnBlock>(cur, o, !o.time_scale_shift));
  mid2_ = register_module("mid_block2", std::make_shared<ResBlock>(cur, cur, temb, o));

  if (o.encoder_only) return;
  upsample_.assign(static_cast<size_t>(levels), nullptr);
  for (int i = levels - 1; i >= 0; --i) {
    const int64_t out = ch * o.channel_mult[i], res = level_res[i];
    for (int j = 0; j <= o.num_res_blocks; ++j) {
      const int64_t skip = skip_ch.back();
      skip_ch.pop_back();
      up_blocks_.push_back(
          register_module(format("up{}_block{}", i, j), std::make_shared<ResBlock>(cur + skip, out, temb, o)));
      up_attn_.push_back(has_attention(o, res)
                             ? register_module(format("up{}_attn{}", i, j), std::make_shared<AttnBlock>(out, o, true))
                             : nullptr);
      cur = out;
    }
    if (i > 0) upsample_[i] = register_module(format("up{}_upsample", i), std::make_shared<nn::Conv2d>(cur, cur, 3));
  }
  norm_out_ = register_module("norm_out", std::make_shared<nn::GroupNorm>(o.groups, cur, o.norm_eps));
  conv_out_ = register_module("conv_out", std::make_shared<nn::Conv2d>(cur, o.in_channels, 3, 1, -1, nn::Init::kZero));
}

torch::Tensor UNet::embed_time(const torch::Tensor& t) {
  torch::Tensor e = nn::timestep_embedding(t, o_.channels, o_.time);
  e = fp32_linear(*temb1_, torch::silu(fp32_linear(*temb0_, e)));
  return torch::silu(e);  // every ResBlock applies SiLU before its projection: do it once here
}

// TensorFlow's SAME for a 3x3, stride-2 convolution (DDPM's down-sampling): pad 0 before and 1
// after on even sizes, 1 and 1 on odd ones; diffusers' Downsample2D(padding=0) pads (0, 1, 0, 1).
torch::Tensor UNet::downsample(size_t level, const torch::Tensor& h) {
  if (o_.downsample_padding == DownsamplePadding::kSymmetric) return downsample_[level]->forward(h);
  auto pads = [](int64_t r) { return std::pair<int64_t, int64_t>{(r % 2), 1}; };  // before, after
  const auto [top, bottom] = pads(h.size(2));
  const auto [left, right] = pads(h.size(3));
  return downsample_[level]->forward(torch::constant_pad_nd(h, {left, right, top, bottom}));
}

torch::Tensor UNet::down_path(const torch::Tensor& x, const torch::Tensor& temb, std::vector<torch::Tensor>* skips) {
  torch::Tensor h = conv_in_->forward(x);
  if (skips) skips->push_back(h);
  size_t b = 0;
  for (size_t i = 0; i < downsample_.size(); ++i) {
    for (int j = 0; j < o_.num_res_blocks; ++j, ++b) {
      h = down_blocks_[b]->forward(h, temb);
      if (down_attn_[b]) h = down_attn_[b]->forward(h);
      if (skips) skips->push_back(h);
    }
    if (downsample_[i]) {
      h = downsample(i, h);
      if (skips) skips->push_back(h);
    }
  }
  h = mid1_->forward(h, temb);
  h = mid_attn_->forward(h);
  return mid2_->forward(h, temb);
}

torch::Tensor UNet::forward(const torch::Tensor& x, const torch::Tensor& t) {
  require(!o_.encoder_only, "unet: forward() on an encoder-only network");
  const torch::Tensor temb = embed_time(t);
  std::vector<torch::Tensor> skips;
  torch::Tensor h = down_path(x, temb, &skips);
  size_t b = 0;
  for (int i = static_cast<int>(o_.channel_mult.size()) - 1; i >= 0; --i) {
    for (int j = 0; j <= o_.num_res_blocks; ++j, ++b) {
      h = up_blocks_[b]->forward(torch::cat({h, skips.back()}, 1), temb);
      skips.pop_back();
      if (up_attn_[b]) h = up_attn_[b]->forward(h);
    }
    if (upsample_[i]) {
      // Nearest up-sampling to the size of the matching skip (odd sizes such as 28 -> 14 -> 7 -> 4
      // come back as 7, 14, 28), then a 3x3 convolution.
      const auto& target = skips.back();
      h = torch::upsample_nearest2d(h, std::vector<int64_t>{target.size(2), target.size(3)});
      h = upsample_[i]->forward(h);
    }
  }
  return conv_out_->forward(norm_out_->forward_silu(h));
}

torch::Tensor UNet::encode(const torch::Tensor& x, const torch::Tensor& t) {
  const torch::Tensor h = down_path(x, embed_time(t), nullptr);
  return torch::silu(h).mean({2, 3});
}

}  // namespace ddm
