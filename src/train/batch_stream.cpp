// Epoch permutations from (seed, epoch) and the CPU generator state (see batch_stream.h).
#include "train/batch_stream.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "util/error.h"

namespace ddm {

BatchStream::BatchStream(int64_t size, int64_t batch, uint64_t seed) : size_(size), batch_(batch), seed_(seed) {
  require(size > 0, "training data is empty");
  new_epoch();
}

void BatchStream::new_epoch() {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed_ * 1000003ULL + static_cast<uint64_t>(epoch_) + 1);
  perm_ = torch::randperm(size_, g, torch::TensorOptions().dtype(torch::kInt64));
}

torch::Tensor BatchStream::next() {
  std::vector<torch::Tensor> parts;
  int64_t need = batch_;
  while (need > 0) {
    if (cursor_ == size_) {
      ++epoch_;
      cursor_ = 0;
      new_epoch();
    }
    const int64_t take = std::min(need, size_ - cursor_);
    parts.push_back(perm_.slice(0, cursor_, cursor_ + take));
    cursor_ += take;
    need -= take;
  }
  return parts.size() == 1 ? parts[0] : torch::cat(parts);
}

void BatchStream::seek(int64_t consumed) {
  require(consumed >= 0, "data position {} is negative", consumed);
  epoch_ = consumed / size_;
  cursor_ = consumed % size_;
  new_epoch();
}

Json BatchStream::state() const {
  Json j = Json::object();
  j["epoch"] = epoch_;
  j["cursor"] = cursor_;
  return j;
}

void BatchStream::restore(const Json& state, const std::string& source) {
  try {
    epoch_ = json_int(state.at("epoch"));
    cursor_ = json_int(state.at("cursor"));
  } catch (const std::exception& e) {
    fail("{}: data position: {}", source, json_error(e));
  }
  require(cursor_ >= 0 && cursor_ <= size_, "{}: data position {} does not fit a shard of {} examples", source, cursor_,
          size_);
  new_epoch();
}

torch::Tensor cpu_rng_state() {
  auto g = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(g.mutex());
  return g.get_state();
}

void set_cpu_rng_state(const torch::Tensor& state) {
  auto g = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_state(state);
}

}  // namespace ddm
