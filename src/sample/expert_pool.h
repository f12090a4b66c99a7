// router.targets=samples, the data-free router (design.md section 4c): each expert's own samples,
// labelled with its index, stand in for its shard. Expert k's pool of router.pool samples is
// generated once with the sample section's solver, grid and steps, in chunks of
// sample.batch_size cached under <run>/router-pool/expert-<k>/ (a chunk's samples come from
// (seed, k, chunk) alone, so an interrupted pool resumes where it stopped and gives the same
// samples). Images are kept as uint8, as a data set's are.
#pragma once
#include <torch/types.h>

#include <memory>

#include "config/sample_config.h"
#include "data/dataset.h"
#include "sample/sampler.h"

namespace ddm {

struct PoolOptions {
  int64_t per_expert = 1000;
  uint64_t seed = 0;
  bool progress = true;
};

// Expert k's pool as a data set with label k (generated where the cache lacks chunks).
std::shared_ptr<const Dataset> expert_pool(const ModelSources& from, const SampleConfig& sc, int k,
                                           const PoolOptions& opt, torch::Device device);

}  // namespace ddm
