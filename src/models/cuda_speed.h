// CUDA speed settings shared by training and sampling (issue 7): a bf16 autocast scope for
// forward passes and channels-last weights. Both are no-ops where they are off; callers turn
// them on only on CUDA (on this project's CPU, channels-last gained ~3% and bf16 is slower).
#pragma once
#include <torch/nn/module.h>

namespace ddm {

// bf16 autocast on CUDA for the scope's lifetime (thread-local, as LibTorch's autocast is).
class AutocastScope {
 public:
  explicit AutocastScope(bool on);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_;
  bool was_enabled_ = false;
};

// Converts a network's 4-D parameters to channels-last; convolutions then run in NHWC.
void to_channels_last(torch::nn::Module& m);

// cuDNN autotuning and TF32 matrix multiplies: the process-wide settings for a CUDA run.
void enable_cuda_fast_math();

}  // namespace ddm
