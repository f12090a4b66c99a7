// CUDA speed settings (see cuda_speed.h).
#include "models/cuda_speed.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>

namespace ddm {

AutocastScope::AutocastScope(bool on) : on_(on) {
  if (!on_) return;
  was_enabled_ = at::autocast::is_autocast_enabled(at::kCUDA);
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, true);
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
  at::autocast::set_autocast_enabled(at::kCUDA, was_enabled_);
  if (!was_enabled_) at::autocast::clear_cache();
}

void to_channels_last(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
}

void enable_cuda_fast_math() {
  at::globalContext().setBenchmarkCuDNN(true);
  at::globalContext().setAllowTF32CuBLAS(true);
  at::globalContext().setAllowTF32CuDNN(true);
}

}  // namespace ddm
