// The order in which a trainer visits its examples: a fresh permutation each epoch, drawn from
// (seed, epoch) alone, so that the data position (epoch, cursor) saved in a checkpoint is enough
// to resume the exact same batches.
#pragma once
#include <torch/types.h>

#include "util/json.h"

namespace ddm {

class BatchStream {
 public:
  BatchStream(int64_t size, int64_t batch, uint64_t seed);
  torch::Tensor next();  // int64 [batch] indices in [0, size)
  // The position after `consumed` indices from the start (epoch, cursor): a stream whose batch
  // never changes is restored from its step alone.
  void seek(int64_t consumed);
  Json state() const;
  void restore(const Json& state, const std::string& source);

 private:
  void new_epoch();
  int64_t size_, batch_;
  uint64_t seed_;
  int64_t epoch_ = 0, cursor_ = 0;
  torch::Tensor perm_;
};

// The global CPU generator (noise, times, dropout): its state goes into checkpoints.
torch::Tensor cpu_rng_state();
void set_cpu_rng_state(const torch::Tensor& state);

}  // namespace ddm
