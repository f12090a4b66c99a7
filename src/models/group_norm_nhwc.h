// GroupNorm for channels-last (NHWC) CPU tensors in inference. LibTorch's own kernel
// for channels-last bf16 takes 5 ms where NCHW takes 0.2 ms (measured on [26,64,16,16], 2
// threads, PyTorch 2.13), and bf16 convolutions are up to 10x faster in NHWC, so bf16 sampling on
// a CPU runs channels-last and normalises here. Statistics accumulate in float, per group in
// double; the output has the input's dtype (float or bf16, rounded to nearest even) and layout.
#pragma once
#include <torch/types.h>

namespace ddm::nn {

// Whether group_norm_nhwc serves x: a 4-D channels-last CPU tensor (not also NCHW-contiguous) of
// float or bf16, with no gradient recorded.
bool group_norm_nhwc_applies(const torch::Tensor& x);

// (x - mean_g) / sqrt(var_g + eps) * gamma + beta over each sample's groups of C / groups
// channels, as torch::group_norm, followed by SiLU in the same pass with `silu`. gamma and beta:
// [C], any floating dtype.
torch::Tensor group_norm_nhwc(const torch::Tensor& x, int64_t groups, const torch::Tensor& gamma,
                              const torch::Tensor& beta, double eps, bool silu = false);

}  // namespace ddm::nn
