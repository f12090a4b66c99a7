// `ddm train-expert`: trains one expert on its shard (or on all the data), with checkpoints that
// resume bit for bit on CPU, metrics.jsonl, a progress bar, preview grids, a NaN stop, a wall-time
// budget and a clean stop on SIGINT/SIGTERM.
#pragma once
#include <torch/types.h>

#include <functional>
#include <string>

#include "config/config.h"
#include "data/dataset.h"
#include "dist/process_group.h"
#include "models/expert.h"

namespace ddm {

struct ExpertRunOptions {
  Config cfg;
  std::string dir;  // the expert's folder: checkpoints, metrics.jsonl, previews
  torch::Device device{torch::kCPU};
  int shard = kAllShards;
  int k = 1;                                     // number of shards in the manifest (1 for `all` without one)
  bool restart = false;                          // ignore (and delete) earlier checkpoints in `dir`
  std::string init;                              // a fresh run starts from this expert checkpoint's EMA weights
  bool progress = true;                          // draw a progress bar
  Dist dist;                                     // data parallelism (train.batch_size stays the global batch)
  std::function<void(int64_t step)> after_step;  // called after each step (tests)
};

struct ExpertRunResult {
  int64_t step = 0;
  double loss = 0;          // mean loss of the last logging window
  std::string checkpoint;   // the last one written
  std::string preview;      // the last preview grid ("" if none)
  std::string stop_reason;  // "done", "time limit", "SIGINT", "SIGTERM"
  int signal = 0;           // the signal that stopped it (0 if none)
  // Data parallelism: max |weight - rank 0's| over ranks at the end (0: identical), and the
  // seconds per step this rank spent in the gradient all_reduce.
  double rank_divergence = 0;
  double allreduce_s_per_step = 0;
};

// `data` holds only this expert's examples (the shard).
ExpertRunResult train_expert(const ExpertRunOptions& opts, const Dataset& data);

// A preview from an expert's EMA network: `count` samples, `steps` DDIM steps, fixed noise seed
// (does not touch the global random state). Images become a PNG grid; points a scatter plot.
void save_expert_preview(const std::string& path, Network& ema_net, const Schedule& sch, Prediction pred,
                         const std::vector<int64_t>& shape, double t_min, int count, int steps, uint64_t seed,
                         torch::Device device, const std::string& title);

}  // namespace ddm
