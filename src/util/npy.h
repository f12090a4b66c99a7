// NumPy .npy and .npz files, as numpy writes and reads them: samples (uint8, N x H x W x C),
// FID statistics (float64 mu, sigma), feature files (N x F). No torch here.
// Own code: Debian packages no C++ npy/npz library (cnpy is not in Debian), and zlib does the work.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "util/byte_limit.h"

namespace ddm {

enum class NpyType { kBool, kU8, kI32, kI64, kF32, kF64 };

struct NpyArray {
  NpyType dtype = NpyType::kF32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // C order, little-endian

  int64_t numel() const;
  size_t item_size() const;
  template <class T>
  const T* data() const {
    return reinterpret_cast<const T*>(bytes.data());
  }
  template <class T>
  T* data() {
    return reinterpret_cast<T*>(bytes.data());
  }
  // Converts any numeric dtype to double (for stats and feature files).
  std::vector<double> to_double() const;
  // to_double(), refusing NaN and infinities in one line naming `what` (file and array) and the
  // first bad element's index: numbers from outside never reach a printed result unchecked.
  std::vector<double> to_finite_double(const std::string& what) const;

  template <class T>
  static NpyArray from(NpyType t, std::vector<int64_t> shape, const T* values) {
    NpyArray a;
    a.dtype = t;
    a.shape = std::move(shape);
    a.bytes.resize(static_cast<size_t>(a.numel()) * sizeof(T));
    std::copy_n(reinterpret_cast<const uint8_t*>(values), a.bytes.size(), a.bytes.data());
    return a;
  }
};

std::string to_string(NpyType t);

// `source` names the file in errors.
NpyArray parse_npy(const std::string& bytes, const std::string& source);
std::string serialize_npy(const NpyArray& a);

NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& a);

// Reads every array of an .npz (stored or deflated; zip64 as numpy writes it). Keys drop ".npy".
// A member declaring more than `max_bytes` (data.max_bytes) is refused before it is inflated.
std::map<std::string, NpyArray> read_npz(const std::string& path, int64_t max_bytes = kDefaultMaxBytes);
// Writes an uncompressed .npz (numpy.savez's layout), atomically.
void write_npz(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& arrays);

}  // namespace ddm
