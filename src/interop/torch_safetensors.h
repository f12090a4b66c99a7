// LibTorch tensors <-> safetensors entries (util/safetensors.h holds only bytes): the dtypes ddm
// writes (float32, float64, int64, uint8, bool, bfloat16, float16), CPU, C order.
#pragma once
#include <torch/types.h>

#include <string>

#include "util/safetensors.h"

namespace ddm {

SafeTensor to_safe_tensor(const torch::Tensor& t);
torch::Tensor from_safe_tensor(const SafeTensor& s);

}  // namespace ddm
