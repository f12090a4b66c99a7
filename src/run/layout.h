// The run folder: every folder and file name of a run, in one place. A run folder holds the
// shard manifest, one folder per trained model (expert-<k>, expert-all, router-<kind>), the
// feature classifier, sample sets and evaluations; each command folder holds the resolved
// config (config.yaml), a human log (log.txt) and an append-only metrics.jsonl. Commands,
// sampling and interop ask this class for paths instead of spelling names.
#pragma once
#include <string>
#include <vector>

#include "config/enums.h"
#include "config/sample_config.h"

namespace ddm {

class RunLayout {
 public:
  explicit RunLayout(std::string root);

  const std::string& root() const { return root_; }
  std::string manifest() const;                        // shards.json
  std::string expert(int shard) const;                 // expert-<k>, or expert-all for kAllShards (-1)
  std::string router(RouterKind kind) const;           // router-<kind>
  std::string router_pool(int shard) const;            // router-pool/expert-<k>: the data-free router's samples
  std::string classifier() const;                      // the FD feature classifier
  std::string samples(const SampleConfig& sc) const;   // samples/<sample_set_name>
  std::string command(const std::string& name) const;  // a command's own folder (router-check, ...)

  // Folder names inside the run, for `open_run` and for listing.
  static std::string expert_folder(int shard);
  static std::string router_folder(RouterKind kind);
  static std::string evaluation_folder(bool exact_experts);  // evaluation, or evaluation-exact
  // "switch-router-50", "fixed-10", "baseline-25", "exact-top1-oracle-10": names a sample set.
  static std::string sample_set_name(const SampleConfig& sc);
  // The sample set's name without its step count ("switch-router"), and trajectory/<that>.
  static std::string sample_set_stem(const SampleConfig& sc);
  static std::string trajectory_folder(const SampleConfig& sc);
  static constexpr const char* kRouterCheckFolder = "router-check";
  static constexpr const char* kRouterProfileFolder = "router-profile";
  static constexpr const char* kTheoryFolder = "theory";
  // Every router folder a run can hold, in the order commands list them.
  static std::vector<std::string> router_folders();

  static constexpr const char* kConfigFile = "config.yaml";
  static constexpr const char* kLogFile = "log.txt";
  static constexpr const char* kMetricsFile = "metrics.jsonl";

 private:
  std::string root_;
};

}  // namespace ddm
