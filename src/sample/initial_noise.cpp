// Initial noise, drawn or from a file (see initial_noise.h).
#include "sample/initial_noise.h"

#include <ATen/CPUGeneratorImpl.h>

#include "util/error.h"
#include "util/npy.h"
#include "util/seed.h"

namespace ddm {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

torch::Tensor read_noise(const std::string& path, int64_t num, const std::vector<int64_t>& sample_shape) {
  const NpyArray a = read_npy(path);
  require(a.dtype == NpyType::kF32, "{}: sample.noise must be a float32 array, got {}", path, to_string(a.dtype));
  std::vector<int64_t> want{num};
  want.insert(want.end(), sample_shape.begin(), sample_shape.end());
  require(a.shape.size() == want.size() && std::equal(a.shape.begin() + 1, a.shape.end(), want.begin() + 1),
          "{}: sample.noise has shape {}, expected {} (sample.num x the samples' shape)", path, shape_text(a.shape),
          shape_text(want));
  require(a.shape[0] == num, "{}: sample.noise holds {} samples, but sample.num is {}", path, a.shape[0], num);
  torch::Tensor t = torch::from_blob(const_cast<float*>(a.data<float>()), a.shape, torch::kFloat32).clone();
  require(torch::isfinite(t).all().item<bool>(), "{}: sample.noise holds NaN or infinite values", path);
  return t;
}

}  // namespace

InitialNoise::InitialNoise(const SampleConfig& sc, std::vector<int64_t> sample_shape)
    : seed_(static_cast<uint64_t>(sc.seed)),
      num_(sc.num),
      batch_size_(sc.batch_size),
      sample_shape_(std::move(sample_shape)) {
  if (!sc.noise.empty()) file_ = read_noise(sc.noise, num_, sample_shape_);
}

torch::Tensor InitialNoise::batch(int64_t index, int64_t first, int64_t count) const {
  if (file_.defined()) return file_.slice(0, first, first + count);
  std::vector<int64_t> shape{count};
  shape.insert(shape.end(), sample_shape_.begin(), sample_shape_.end());
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(stream_seed(seed_, static_cast<uint64_t>(index)));
  return torch::randn(shape, gen, torch::kFloat32);
}

torch::Tensor InitialNoise::all() const {
  std::vector<torch::Tensor> parts;
  for (int64_t first = 0, i = 0; first < num_; first += batch_size_, ++i)
    parts.push_back(batch(i, first, std::min(batch_size_, num_ - first)));
  return torch::cat(parts);
}

void save_noise(const std::string& path, const torch::Tensor& noise) {
  const torch::Tensor f = noise.to(torch::kCPU, torch::kFloat32).contiguous();
  write_npy(path, NpyArray::from(NpyType::kF32, f.sizes().vec(), f.data_ptr<float>()));
}

}  // namespace ddm
