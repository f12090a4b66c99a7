// A tiny U-Net sampling setup shared by the precision tests (CPU bf16, CUDA): 16 channels, two
// levels, attention at 8x8, no dropout, the router's alpha; callers set steps and sizes.
#pragma once
#include "config/config.h"

namespace ddm::test {

inline Config tiny_sampling_config(int steps, int64_t num) {
  Config c;
  c.model.channels = 16;
  c.model.channel_mult = {1, 2};
  c.model.num_res_blocks = 1;
  c.model.attn_resolutions = {8};
  c.model.groups = 8;
  c.model.dropout = 0;
  c.sample.steps = steps;
  c.sample.num = num;
  c.sample.batch_size = static_cast<int>(num);
  c.sample.alpha = AlphaSource::kRouter;
  return c;
}

}  // namespace ddm::test
