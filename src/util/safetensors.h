// safetensors files (https://github.com/huggingface/safetensors), as the Python library writes and
// reads them, so that weights pass to and from PyTorch/JAX tooling. No torch here: tensors are bytes.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ddm {

enum class SafeDType { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };

size_t element_size(SafeDType t);
std::string to_string(SafeDType t);  // the header's name: "F32", "BF16", "BOOL", ...

struct SafeTensor {
  SafeDType dtype = SafeDType::kF32;
  std::vector<int64_t> shape;  // [] is a scalar
  std::string bytes;           // C order, little-endian

  int64_t numel() const;

  template <class T>
  static SafeTensor from(SafeDType t, std::vector<int64_t> shape, const T* values) {
    SafeTensor s;
    s.dtype = t;
    s.shape = std::move(shape);
    s.bytes.resize(static_cast<size_t>(s.numel()) * sizeof(T));
    std::copy_n(reinterpret_cast<const char*>(values), s.bytes.size(), s.bytes.data());
    return s;
  }
};

struct SafeTensors {
  std::vector<std::pair<std::string, SafeTensor>> tensors;  // file order (by offset when read)
  std::map<std::string, std::string> metadata;              // "__metadata__"

  const SafeTensor* find(const std::string& name) const;  // nullptr when absent
};

// Validates the whole file (header, dtypes, shapes, offsets tiling the data buffer exactly);
// each failure is a one-line ddm::Error that starts with `source` and names the tensor at fault.
SafeTensors parse_safetensors(const std::string& bytes, const std::string& source);
SafeTensors read_safetensors(const std::string& path);

// Header keys in the given order ("__metadata__" first when non-empty), data contiguous in that
// order, header padded with spaces so that the data starts on an 8-byte boundary.
std::string serialize_safetensors(const SafeTensors& st);
void write_safetensors(const std::string& path, const SafeTensors& st);  // atomic

}  // namespace ddm
