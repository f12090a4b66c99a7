// Shards: the partition of a data set into K disjoint parts, one per expert, and the manifest
// that records it (<run>/shards.json): data set, K, method, seed, each shard's indices and size,
// and the priors pi_k = n_k / N. Each expert trainer later reads only its own shard.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "config/config_fwd.h"
#include "config/data_config.h"
#include "config/shards_config.h"
#include "data/dataset.h"
#include "util/json.h"

namespace ddm {

struct ShardManifest {
  std::string dataset;  // Dataset::name
  Json data_config;     // the data.* fields it was made from: checked by later commands
  int k = 0;
  ShardMethod method = ShardMethod::kLabel;
  int64_t seed = 0;
  int64_t n = 0;
  std::vector<std::vector<int64_t>> shards;        // sorted indices into the data set
  std::vector<std::vector<int64_t>> label_counts;  // per shard, per class (empty if unlabelled)
  std::vector<std::string> class_names;
  std::vector<int64_t> counts;  // shards.method=counts: each shard's size, with no indices

  bool has_indices() const { return method != ShardMethod::kCounts; }
  int64_t size(int shard) const;  // examples in the shard
  std::vector<double> priors() const;
  torch::Tensor prior_tensor() const;  // float64 [K]
  torch::Tensor assignment() const;    // int64 [N]: the shard of each example
  torch::Tensor indices(int shard) const;

  Json to_json() const;
  static ShardManifest from_json(const Json& j, const std::string& source);
  void save(const std::string& path) const;
  static ShardManifest load(const std::string& path);
  // Fails unless `cfg` describes the same data as the manifest (so indices mean the same).
  void check_matches(const DataConfig& cfg, const std::string& source) const;
};

ShardManifest make_shards(const Dataset& data, const DataConfig& data_cfg, const ShardsConfig& cfg);
// A manifest from shards.counts alone (shards.method=counts): the priors of experts trained
// elsewhere, with no data set and no example indices.
ShardManifest manifest_from_counts(const ShardsConfig& cfg);
// The data.* fields as JSON (what a manifest records and compares).
Json data_config_json(const DataConfig& cfg);

}  // namespace ddm
