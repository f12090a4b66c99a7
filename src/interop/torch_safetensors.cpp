// Tensor <-> safetensors entry conversions (see torch_safetensors.h).
#include "interop/torch_safetensors.h"

#include <cstring>

#include "util/error.h"

namespace ddm {
namespace {

const std::vector<std::pair<SafeDType, torch::ScalarType>>& dtype_table() {
  static const std::vector<std::pair<SafeDType, torch::ScalarType>> t = {
      {SafeDType::kF64, torch::kFloat64},   {SafeDType::kF32, torch::kFloat32}, {SafeDType::kF16, torch::kFloat16},
      {SafeDType::kBF16, torch::kBFloat16}, {SafeDType::kI64, torch::kInt64},   {SafeDType::kI32, torch::kInt32},
      {SafeDType::kI16, torch::kInt16},     {SafeDType::kI8, torch::kInt8},     {SafeDType::kU8, torch::kUInt8},
      {SafeDType::kBool, torch::kBool}};
  return t;
}

}  // namespace

SafeTensor to_safe_tensor(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
  for (const auto& [safe, type] : dtype_table()) {
    if (type != c.scalar_type()) continue;
    SafeTensor s;
    s.dtype = safe;
    s.shape = c.sizes().vec();
    s.bytes.assign(static_cast<const char*>(c.data_ptr()), static_cast<size_t>(c.numel()) * c.element_size());
    return s;
  }
  fail("safetensors: cannot store a tensor of type {}", c10::toString(c.scalar_type()));
}

torch::Tensor from_safe_tensor(const SafeTensor& s) {
  for (const auto& [safe, type] : dtype_table()) {
    if (safe != s.dtype) continue;
    torch::Tensor t = torch::empty(s.shape, torch::TensorOptions().dtype(type));
    std::memcpy(t.data_ptr(), s.bytes.data(), s.bytes.size());
    return t;
  }
  fail("safetensors: dtype {} has no LibTorch type", to_string(s.dtype));
}

}  // namespace ddm
