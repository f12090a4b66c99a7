// The training loop every trainer shares (experts, routers): resume from the newest checkpoint
// of its folder, step, log metrics.jsonl and a progress bar, checkpoint every few steps, and stop
// cleanly on SIGINT/SIGTERM or a wall-time budget. The trainer supplies what one step is and
// what its state is; the loop owns when things happen. Under data parallelism every rank
// runs the loop in step: all resume from the checkpoint rank 0 picks, they agree on stopping (a
// signal or the time cap on any rank stops all at the same step), and only rank 0 writes
// checkpoints, metrics and the progress bar.
#pragma once
#include <functional>
#include <string>

#include "config/train_config.h"
#include "dist/process_group.h"
#include "models/checkpoint.h"
#include "util/json.h"

namespace ddm {

struct StepReport {
  double loss = 0;
  Json extra = Json::object();  // more per-step figures for metrics.jsonl (averaged per window)
};

struct LoopSpec {
  std::string who;  // "expert 3", "router mog-a": names messages and the progress bar
  std::string dir;
  TrainConfig train;  // steps, log_every, checkpoint_every, keep_checkpoints, max_minutes, batch_size
  int64_t examples_per_step = 1;
  bool restart = false;
  bool progress = true;
  Dist dist;  // one process by default
  // Runs step `step` (0-based). A non-finite loss stops the loop before anything else happens.
  std::function<StepReport(int64_t step)> step;
  // Adds the trainer's metadata and tensors (weights, optimiser, data position, RNG).
  std::function<void(Checkpoint& ckpt, int64_t step)> save;
  // Checks a checkpoint belongs to this run and restores from it; returns its step.
  std::function<int64_t(const Checkpoint& ckpt)> resume;
  std::function<void(int64_t step)> preview;     // every train.preview_every steps (optional)
  std::function<void(int64_t step)> after_step;  // tests
};

struct LoopResult {
  int64_t step = 0;
  double loss = 0;          // mean of the last logging window
  std::string checkpoint;   // the last written
  std::string stop_reason;  // "done", "time limit", "SIGINT", "SIGTERM"
  int signal = 0;
};

// The fields every trainer fills the same way.
LoopSpec make_loop_spec(std::string who, std::string dir, const TrainConfig& train, bool restart, bool progress,
                        std::function<void(int64_t)> after_step);

// Besides what `save` adds, every checkpoint carries the CPU generator state and the LibTorch
// version, restored after `resume` returns.
LoopResult run_training_loop(const LoopSpec& spec);

}  // namespace ddm
