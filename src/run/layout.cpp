// Names of a run's folders and files (see layout.h).
#include "run/layout.h"

#include "config/enum_names.h"
#include "util/format.h"
#include "util/fs.h"

namespace ddm {

RunLayout::RunLayout(std::string root) : root_(std::move(root)) {}

std::string RunLayout::manifest() const { return path_join(root_, "shards.json"); }
std::string RunLayout::expert(int shard) const { return path_join(root_, expert_folder(shard)); }
std::string RunLayout::router(RouterKind kind) const { return path_join(root_, router_folder(kind)); }
std::string RunLayout::router_pool(int shard) const {
  return path_join(path_join(root_, "router-pool"), expert_folder(shard));
}
std::string RunLayout::classifier() const { return path_join(root_, "classifier"); }
std::string RunLayout::samples(const SampleConfig& sc) const {
  return path_join(path_join(root_, "samples"), sample_set_name(sc));
}
std::string RunLayout::sample_set_name(const SampleConfig& sc) {
  const std::string exact = sc.experts == ExpertSource::kExact ? "exact-" : "";  // exact experts
  if (sc.baseline) return format("{}baseline-{}", exact, sc.steps);
  if (sc.expert >= 0) return format("{}expert{}-{}", exact, sc.expert, sc.steps);
  if (sc.rule == RoutingRule::kFixed) return format("{}fixed-{}", exact, sc.steps);
  const std::string rule = sc.rule == RoutingRule::kTopK ? format("top{}", sc.topk) : to_string(sc.rule);
  return format("{}{}-{}-{}", exact, rule, to_string(sc.alpha), sc.steps);
}

std::string RunLayout::sample_set_stem(const SampleConfig& sc) {
  const std::string name = sample_set_name(sc);
  return name.substr(0, name.rfind('-'));
}

std::string RunLayout::trajectory_folder(const SampleConfig& sc) { return "trajectory/" + sample_set_stem(sc); }

std::string RunLayout::evaluation_folder(bool exact_experts) {
  return exact_experts ? "evaluation-exact" : "evaluation";
}
std::string RunLayout::command(const std::string& name) const { return path_join(root_, name); }

std::string RunLayout::expert_folder(int shard) {
  return shard < 0 ? std::string("expert-all") : format("expert-{}", shard);
}

std::string RunLayout::router_folder(RouterKind kind) { return "router-" + to_string(kind); }

std::vector<std::string> RunLayout::router_folders() {
  return {router_folder(RouterKind::kMogA), router_folder(RouterKind::kSobolev), router_folder(RouterKind::kMogDa)};
}

}  // namespace ddm
