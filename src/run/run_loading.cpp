// Loading a run's manifest, experts and routers (see run_loading.h).
#include "run/run_loading.h"

#include "models/checkpoint.h"
#include "run/alpha_sources.h"
#include "util/error.h"
#include "util/format.h"
#include "util/fs.h"

namespace ddm {

std::string newest_checkpoint(const std::string& dir, const std::string& what) {
  const std::string p = CheckpointDir(dir, 1).latest();
  if (p.empty()) fail("no {} checkpoint in {} (train it first)", what, dir);
  return p;
}

ShardManifest load_run_manifest(const RunLayout& run, const DataConfig* data) {
  const std::string file = run.manifest();
  if (!path_exists(file)) fail("{} not found: run `ddm prepare` first (it writes the shards)", file);
  ShardManifest m = ShardManifest::load(file);
  if (data) m.check_matches(*data, file);
  return m;
}

Expert load_run_expert(const RunLayout& run, int shard, torch::Device device) {
  const std::string what = shard == kAllShards ? std::string("baseline (--shard all)") : format("expert {}", shard);
  return load_expert(newest_checkpoint(run.expert(shard), what), device);
}

std::shared_ptr<const Router> load_run_router(const RunLayout& run, AlphaSource source, torch::Device device) {
  const AlphaSourceSpec& spec = alpha_source_spec(source);
  require(spec.router.has_value(), "sample.alpha={} reads no router", to_string(source));
  const std::string dir = run.router(*spec.router);
  return std::make_shared<Router>(load_router(newest_checkpoint(dir, RunLayout::router_folder(*spec.router)), device));
}

}  // namespace ddm
