// Writers of small data files in the real formats (IDX, CIFAR-10 binary), for loader tests.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace ddm::test {

inline std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// The IDX bytes of n images of rows x cols (pixel(i, y, x) = (i * 31 + y * 7 + x * 3) % 256).
inline uint8_t idx_pixel(int i, int y, int x) { return static_cast<uint8_t>((i * 31 + y * 7 + x * 3) % 256); }

inline std::string idx_images(int n, int rows, int cols) {
  std::string s = be32(0x00000803) + be32(n) + be32(rows) + be32(cols);
  for (int i = 0; i < n; ++i)
    for (int y = 0; y < rows; ++y)
      for (int x = 0; x < cols; ++x) s += static_cast<char>(idx_pixel(i, y, x));
  return s;
}

inline std::string idx_labels(const std::vector<uint8_t>& labels) {
  std::string s = be32(0x00000801) + be32(static_cast<uint32_t>(labels.size()));
  for (auto l : labels) s += static_cast<char>(l);
  return s;
}

inline void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

// A tiny labelled set in Fashion-MNIST's gzipped IDX files: n images of 28 x 28 in `dir`,
// labels alternating 0, 1 (the pipeline tests' data: two label shards).
inline void write_tiny_fashion(const std::string& dir, int n) {
  std::filesystem::create_directories(dir);
  std::vector<uint8_t> labels;
  for (int i = 0; i < n; ++i) labels.push_back(static_cast<uint8_t>(i % 2));
  write_gz(dir + "/train-images-idx3-ubyte.gz", idx_images(n, 28, 28));
  write_gz(dir + "/train-labels-idx1-ubyte.gz", idx_labels(labels));
}

// CIFAR-10 record r of a file: label (r * 3 + salt) % 10, pixel (channel c, index p) below.
inline uint8_t cifar_pixel(int salt, int r, int c, int p) {
  return static_cast<uint8_t>((salt * 13 + r * 5 + c * 85 + p) % 256);
}

inline std::string cifar_batch(int salt, int records) {
  std::string s;
  for (int r = 0; r < records; ++r) {
    s += static_cast<char>((r * 3 + salt) % 10);
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p) s += static_cast<char>(cifar_pixel(salt, r, c, p));
  }
  return s;
}

}  // namespace ddm::test
