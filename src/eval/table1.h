// The reference paper's Table 1 on a run, without the command line (`ddm evaluate` prints and
// writes it): for each row (the unconditional baseline, `fixed`, and <rule>-<alpha>
// combinations) and each step count N, samples from the same seeds, their Frechet distance to
// the data set on the feature classifier's features (not FID: no Inception weights are needed),
// and the classifier's routing check: the share of samples in each class, the mean confidence,
// and the routing statistics along the way.
#pragma once
#include <torch/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/eval_config.h"
#include "config/sample_config.h"
#include "dist/process_group.h"
#include "eval/classifier.h"
#include "eval/frechet.h"
#include "util/json.h"

namespace ddm {

struct ModelSources;  // sample/sampler.h

struct Table1Row {
  std::string name;  // as in eval.table_rows
  std::string label;
  SampleConfig sc;
};
// eval.table_rows: "baseline", "fixed" or "<rule>-<alpha>", comma-separated.
std::vector<Table1Row> parse_table1_rows(const std::string& csv, const SampleConfig& base);

// One row at one N and one seed.
struct Table1Cell {
  std::string row;
  int steps = 0;
  int64_t seed = 0;
  double fd = 0;
  ClassReport report;
  double class_tv = 0;                  // of the class shares to the data's
  std::optional<double> switch_rate;    // averaged over steps (routed rows)
  std::optional<double> final_entropy;  // of alpha_hat at the last step
  double seconds = 0;
  double evaluations_per_sample_step = 0;
  Json to_json() const;
};

struct MeanSpread {
  double mean = 0, spread = 0;  // spread: sample standard deviation over seeds (0 for one seed)
};

struct Table1 {
  std::vector<Table1Row> rows;
  std::vector<std::vector<Table1Cell>> cells;  // per row, in (N, seed) order
  std::vector<std::vector<MeanSpread>> fd;     // per row and N, over seeds
  std::vector<double> proportions;             // the data set's class shares
  double heldout_accuracy = 0;                 // the feature classifier's
};

struct Table1Inputs {
  const TrainedClassifier& clf;
  const FeatureStats& reference;  // the data set's, on the classifier's features
  std::vector<double> proportions;
  torch::Device device{torch::kCPU};
  std::string grids;  // folder for one grid PNG per cell ("" : none)
  Dist dist;          // ranks share each cell's sampling; every rank gets the same table
};

// Runs every cell of `ec`'s table, each row's sampling settings `base` with its rule and alpha;
// `on_cell` sees the table so far after each cell (so that an interrupted run can keep what it has).
Table1 run_table1(const ModelSources& from, const EvalConfig& ec, const SampleConfig& base, const Table1Inputs& in,
                  const std::function<void(const Table1&, const Table1Cell&)>& on_cell);

}  // namespace ddm
