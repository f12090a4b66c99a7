// The initial state x(t_max) of a sampling run: drawn per batch from (sample.seed, batch index),
// or read from sample.noise, a float32 .npy [num, C, H, W] (or [num, D]). A noise file lets two
// samplers, or two settings of ddm, start from identical noise; --save-noise writes the drawn
// noise in the same format.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/sample_config.h"

namespace ddm {

class InitialNoise {
 public:
  // Reads and checks sample.noise when it is set (dtype, shape and row count; one-line errors
  // naming the file); otherwise noise is drawn.
  InitialNoise(const SampleConfig& sc, std::vector<int64_t> sample_shape);
  // Rows [first, first + count) of the run's noise, batch `index` of sample.batch_size rows
  // (float32, on the CPU).
  torch::Tensor batch(int64_t index, int64_t first, int64_t count) const;
  // All sample.num rows, batch by batch as generate_samples takes them.
  torch::Tensor all() const;
  bool from_file() const { return file_.defined(); }

 private:
  uint64_t seed_;
  int64_t num_, batch_size_;
  std::vector<int64_t> sample_shape_;
  torch::Tensor file_;
};

// Writes noise [num, ...] as a float32 .npy (sample.noise's format), atomically.
void save_noise(const std::string& path, const torch::Tensor& noise);

}  // namespace ddm
