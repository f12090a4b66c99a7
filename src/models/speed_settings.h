// Speed settings shared by training and sampling: bf16 autocast for forward passes (on CUDA and
// CPUs), channels-last weights and CUDA's fast math. The autocast scope
// is thread-local, as LibTorch's autocast is; master weights, optimiser state, EMA and solver
// arithmetic stay fp32 because only the networks' forward passes run inside it.
#pragma once
#include <torch/nn/module.h>

#include "config/enums.h"
#include "util/cpu_features.h"

namespace ddm {

// Whether `mode` turns bf16 autocast on for `device`: auto means CUDA only (on CPUs the measurements in
// docs/results/bf16.md decide, and the default stays fp32). The first time it is on for a CPU, logs what
// the CPU offers, and warns where bf16 is emulated (no AVX512-BF16 or AMX). `what` names the
// config key in that line.
bool use_bf16(Bf16Mode mode, torch::Device device, const char* what);
// That log line for a CPU (`warn`: bf16 is emulated there).
std::string bf16_cpu_note(const CpuFeatures& cpu, const char* what, bool* warn);

// Sets bf16 autocast on (or off) for the device's type for the scope's lifetime, restoring the
// previous state after. Off inside an on scope keeps fp32 work (the exact posterior) in fp32.
class AutocastScope {
 public:
  AutocastScope(bool on, torch::Device device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_;
  c10::DeviceType type_;
  bool was_enabled_ = false;
};

// Converts a network's 4-D parameters to channels-last; convolutions then run in NHWC.
void to_channels_last(torch::nn::Module& m);

// For a network that only samples from now on: every convolution and linear layer keeps its
// weights cast to bf16 (convolutions' in channels-last if asked), used under bf16 autocast
// instead of autocast's cast per call (nn::AutocastCopy). The fp32 weights stay as they were.
void keep_bf16_copies(torch::nn::Module& m, bool channels_last);

// cuDNN autotuning and TF32 matrix multiplies: the process-wide settings for a CUDA run.
void enable_cuda_fast_math();

}  // namespace ddm
