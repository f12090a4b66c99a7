// The `model` section of the run configuration: the denoiser network.
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_MODEL_FIELDS(X)                                                                                       \
  X(ModelArch, arch, ModelArch::kAuto, kAny, "network: unet (images), mlp (points); auto picks by data")          \
  X(int, channels, 128, (Range{1, 4096}), "unet: base channels")                                                  \
  X(IntList, channel_mult, (IntList{1, 2, 2, 2}), (Range{1, 64}), "unet: channel multiplier per level")           \
  X(int, num_res_blocks, 2, (Range{1, 64}), "unet: residual blocks per level")                                    \
  X(IntList, attn_resolutions, (IntList{16}), (Range{1, 4096}), "unet: feature-map sizes with self-attention")    \
  X(double, dropout, 0.1, (Range{0, 0.99}), "dropout in residual blocks")                                         \
  X(int, groups, 32, (Range{1, 1024}), "unet: GroupNorm groups")                                                  \
  X(DownsamplePadding, downsample_padding, DownsamplePadding::kSame, kAny,                                        \
    "unet: down-sampling padding, same (DDPM, diffusers) or symmetric (ddm's older U-Nets)")                      \
  X(double, norm_eps, 1e-6, (Range{1e-12, 1}), "unet: GroupNorm epsilon (DDPM 1e-6, UNet2DModel's default 1e-5)") \
  X(int, attn_head_dim, 0, (Range{0, 4096}),                                                                      \
    "unet: channels per attention head (diffusers' attention_head_dim); 0: one head of all channels (DDPM)")      \
  X(bool, time_flip_sin_to_cos, false, kAny,                                                                      \
    "unet: time embedding as [cos, sin] (diffusers' flip_sin_to_cos) instead of DDPM's [sin, cos]")               \
  X(double, time_freq_shift, 1, kNonNegative,                                                                     \
    "unet: time-embedding frequencies 1e4^(-i / (C/2 - shift)) (diffusers' freq_shift; DDPM's is 1)")             \
  X(bool, time_scale_shift, false, kAny,                                                                          \
    "unet: the time embedding scales and shifts each block's second GroupNorm (diffusers' "                       \
    "resnet_time_scale_shift: scale_shift) instead of being added before it")                                     \
  X(int, mlp_width, 256, (Range{1, 65536}), "mlp: hidden width")                                                  \
  X(int, mlp_depth, 4, (Range{1, 64}), "mlp: hidden layers")

struct ModelConfig {
  DDM_MODEL_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
