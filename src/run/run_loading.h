// Loading what a run folder holds: its shard manifest, the newest checkpoint of a model folder,
// an expert, the router an alpha source reads. Each failure names the folder and the command
// that would fill it.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>

#include "config/data_config.h"
#include "data/shards.h"
#include "models/expert.h"
#include "router/router.h"
#include "run/layout.h"

namespace ddm {

// The newest checkpoint in `dir`; fails "no <what> checkpoint in <dir> (train it first)".
std::string newest_checkpoint(const std::string& dir, const std::string& what);

// The run's shard manifest; fails naming `ddm prepare` when there is none. With `data`, also
// checks that it was made from the same data set (so that its indices mean the same).
ShardManifest load_run_manifest(const RunLayout& run, const DataConfig* data = nullptr);

// The newest checkpoint of expert `shard` (kAllShards: the baseline).
Expert load_run_expert(const RunLayout& run, int shard, torch::Device device);

// The newest checkpoint of the router that `source` reads (alpha_sources.h).
std::shared_ptr<const Router> load_run_router(const RunLayout& run, AlphaSource source, torch::Device device);

}  // namespace ddm
