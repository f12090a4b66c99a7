// The `shards` section of the run configuration: `ddm prepare`.
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_SHARDS_FIELDS(X)                                                                          \
  X(int, k, 10, (Range{1, 100000}), "number of shards (experts) K")                                   \
  X(ShardMethod, method, ShardMethod::kLabel, kAny,                                                   \
    "label, kmeans, random, folders (one subfolder of data.path per shard, in name order) or counts " \
    "(no data: the priors from shards.counts)")                                                       \
  X(IntList, counts, (IntList{}), (Range{1, 2147483647}),                                             \
    "method=counts: each expert's number of training examples, in shard order")                       \
  X(std::string, features, "", kAny, "k-means on this .npy feature file (N x F) instead of pixels")   \
  X(bool, balanced, false, kAny, "k-means: equal-size clusters (balanced assignment)")                \
  X(int64_t, seed, 0, kNonNegative, "seed for k-means initialisation and random shards")              \
  X(int, kmeans_iters, 50, (Range{1, 10000}), "k-means: maximum Lloyd iterations")

struct ShardsConfig {
  DDM_SHARDS_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
