// Speed settings (see speed_settings.h).
#include "models/speed_settings.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>

#include <atomic>

#include "models/layers.h"
#include "util/log.h"

namespace ddm {

std::string bf16_cpu_note(const CpuFeatures& cpu, const char* what, bool* warn) {
  *warn = !cpu.native_bf16();
  if (!*warn) return format("{}=on on CPU: native bf16 on {}", what, cpu.describe());
  return format(
      "{}=on on CPU without native bf16 (no avx512_bf16 or amx_bf16 on {}): it is emulated and likely slower than fp32",
      what, cpu.describe());
}

bool use_bf16(Bf16Mode mode, torch::Device device, const char* what) {
  const bool on = mode == Bf16Mode::kOn || (mode == Bf16Mode::kAuto && device.is_cuda());
  static std::atomic<bool> logged{false};  // once per process: samplers resolve it per call
  if (on && device.is_cpu() && !logged.exchange(true)) {
    bool warn = false;
    const std::string note = bf16_cpu_note(cpu_features(), what, &warn);
    warn ? log::warn("{}", note) : log::info("{}", note);
  }
  return on;
}

AutocastScope::AutocastScope(bool on, torch::Device device) : on_(on), type_(device.type()) {
  was_enabled_ = at::autocast::is_autocast_enabled(type_);
  if (on_) at::autocast::set_autocast_dtype(type_, at::kBFloat16);
  at::autocast::set_autocast_enabled(type_, on_);
}

AutocastScope::~AutocastScope() {
  at::autocast::set_autocast_enabled(type_, was_enabled_);
  if (on_ && !was_enabled_) at::autocast::clear_cache();
}

void to_channels_last(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
}

void keep_bf16_copies(torch::nn::Module& m, bool channels_last) {
  const auto format = channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  for (const auto& sub : m.modules()) {
    if (auto* conv = dynamic_cast<nn::Conv2d*>(sub.get())) conv->keep_autocast_copy(torch::kBFloat16, format);
    if (auto* linear = dynamic_cast<nn::Linear*>(sub.get())) linear->keep_autocast_copy(torch::kBFloat16);
  }
}

void enable_cuda_fast_math() {
  at::globalContext().setBenchmarkCuDNN(true);
  at::globalContext().setAllowTF32CuBLAS(true);
  at::globalContext().setAllowTF32CuDNN(true);
}

}  // namespace ddm
