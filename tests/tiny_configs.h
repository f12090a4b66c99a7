// Tiny networks and setups shared by the tests: the settings many suites would otherwise repeat.
#pragma once
#include "config/config.h"

namespace ddm::test {

// A U-Net of `channels` base width, one level per entry of `mult`, `blocks` residual blocks per
// level, self-attention at the feature-map sizes `attn`, `groups` GroupNorm groups.
inline ModelConfig tiny_unet(int channels, IntList mult, int blocks, IntList attn, int groups, double dropout = 0) {
  ModelConfig m;
  m.arch = ModelArch::kUnet;
  m.channels = channels;
  m.channel_mult = std::move(mult);
  m.num_res_blocks = blocks;
  m.attn_resolutions = std::move(attn);
  m.groups = groups;
  m.dropout = dropout;
  return m;
}

// The 2-D mixture with a small MLP (points, exact posteriors cheap).
inline Config toy2d_mlp(int components, int samples, int width, int depth) {
  Config c;
  c.data.dataset = DatasetKind::kToy2d;
  c.data.toy_components = components;
  c.data.toy_samples = samples;
  c.model.mlp_width = width;
  c.model.mlp_depth = depth;
  c.model.dropout = 0;
  return c;
}

// The precision tests' sampling setup (CPU bf16, CUDA): a 16-channel two-level U-Net with
// attention at 8x8, the router's alpha; callers set steps and sizes.
inline Config tiny_sampling_config(int steps, int64_t num) {
  Config c;
  c.model = tiny_unet(16, {1, 2}, 1, {8}, 8);
  c.model.arch = ModelArch::kAuto;
  c.sample.steps = steps;
  c.sample.num = num;
  c.sample.batch_size = static_cast<int>(num);
  c.sample.alpha = AlphaSource::kRouter;
  return c;
}

}  // namespace ddm::test
