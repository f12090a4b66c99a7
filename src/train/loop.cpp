// The shared training loop (see loop.h).
#include "train/loop.h"

#include <torch/version.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>

#include "train/batch_stream.h"
#include "util/dir_lock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/signals.h"
#include "util/timer.h"

namespace ddm {

LoopSpec make_loop_spec(std::string who, std::string dir, const TrainConfig& train, bool restart, bool progress,
                        std::function<void(int64_t)> after_step) {
  LoopSpec s;
  s.who = std::move(who);
  s.dir = std::move(dir);
  s.train = train;
  s.examples_per_step = train.batch_size;
  s.restart = restart;
  s.progress = progress;
  s.after_step = std::move(after_step);
  return s;
}

namespace {
constexpr int kTimeLimit = 1000;  // beyond every signal number

// A signal, or the wall-time cap before the last step, on any rank: all ranks stop at the same
// step (one small all_reduce per step under data parallelism). Fills the result's reason.
bool stop_requested(const LoopSpec& spec, int64_t step, double seconds, LoopResult& result) {
  const TrainConfig& tc = spec.train;
  int code = 0;
  if (StopSignal::requested()) {
    code = StopSignal::signal_number();
    StopSignal::reset();
  } else if (tc.max_minutes > 0 && seconds > tc.max_minutes * 60 && step < tc.steps) {
    code = kTimeLimit;
  }
  code = static_cast<int>(spec.dist.max(code));
  if (code == 0) return false;
  if (code == kTimeLimit) {
    // A cap, not a way to stop: the same command must give the same model anywhere.
    result.stop_reason = "time limit";
    log::warn("{}: the wall-time cap ({} min) stopped the run at step {} of {}; run the same command again to resume",
              spec.who, tc.max_minutes, step, tc.steps);
  } else {
    result.signal = code;
    result.stop_reason = stop_signal_name(code);
  }
  return true;
}

// One trainer per folder: rank 0 holds the lock for the job, then clears what a killed
// run's half-written checkpoint left.
std::unique_ptr<DirLock> lock_folder(const LoopSpec& spec, const CheckpointDir& ckpts) {
  auto lock = std::make_unique<DirLock>(spec.dir, spec.who);
  ckpts.remove_stale_temporaries();
  return lock;
}

// Every rank resumes from the checkpoint rank 0 picks (the run folder is shared, or copied to
// every machine); returns the step it restored, 0 for a fresh start.
int64_t resume_latest(const LoopSpec& spec, const CheckpointDir& ckpts, LoopResult& result) {
  const int64_t latest = spec.dist.broadcast_value(spec.dist.is_main() ? ckpts.latest_step() : -1);
  if (latest < 0) return 0;
  const std::string path = ckpts.path_for(latest);
  require(path_exists(path),
          "rank {}: {} not found: rank 0 resumes from it, so every rank needs the run folder (a shared file system)",
          spec.dist.rank(), path);
  const Checkpoint ckpt = load_checkpoint(path);
  const int64_t step = spec.resume(ckpt);
  set_cpu_rng_state(ckpt.get("rng.cpu"));
  result.checkpoint = path;
  // The loss the checkpoint was saved with: a finished run that is started again reports it
  // rather than NaN (no step runs).
  const auto loss = ckpt.meta.find("loss");
  if (loss != ckpt.meta.end() && loss->is_number()) result.loss = loss->get<double>();
  log::info("{}: resuming from {} (step {})", spec.who, path, step);
  return step;
}
}  // namespace

LoopResult run_training_loop(const LoopSpec& spec) {
  const TrainConfig& tc = spec.train;
  ensure_writable_dir(spec.dir);
  const CheckpointDir ckpts(spec.dir, tc.keep_checkpoints);
  const bool main = spec.dist.is_main();
  const std::unique_ptr<DirLock> lock = main ? lock_folder(spec, ckpts) : nullptr;
  if (spec.restart && main) ckpts.remove_all();

  LoopResult result;
  result.loss = std::nan("");
  int64_t step = resume_latest(spec, ckpts, result), saved_step = result.checkpoint.empty() ? -1 : step;
  double window_loss = 0;
  auto save = [&] {
    saved_step = step;
    if (!main) {  // rank 0 writes for the job; the others know its name
      result.checkpoint = ckpts.path_for(step);
      return;
    }
    Checkpoint ckpt;
    ckpt.meta["format"] = "ddm-checkpoint-v1";
    ckpt.meta["loss"] = result.loss;
    ckpt.meta["libtorch"] = TORCH_VERSION;
    spec.save(ckpt, step);
    ckpt.put("rng.cpu", cpu_rng_state());
    result.checkpoint = ckpts.save(ckpt, step);
  };

  std::optional<JsonlWriter> metrics;
  if (main) metrics.emplace(path_join(spec.dir, "metrics.jsonl"));
  StopSignal stop_signal;
  Stopwatch clock, window_clock;
  std::unique_ptr<ProgressBar> bar;
  if (spec.progress && main) {
    bar = std::make_unique<ProgressBar>(spec.who, tc.steps, "step");
    bar->start_at(step);
  }
  std::map<std::string, double> window_extra;
  int64_t window_n = 0;
  result.stop_reason = "done";
  while (step < tc.steps) {
    const StepReport r = spec.step(step);
    if (!std::isfinite(r.loss))
      fail(
          "{}: step {}: the loss {} is not finite: training stopped without updating the weights; the last good "
          "checkpoint is {}",
          spec.who, step + 1, r.loss, result.checkpoint.empty() ? std::string("(none yet)") : result.checkpoint);
    ++step;
    window_loss += r.loss;
    for (const auto& [k, v] : r.extra.items()) window_extra[k] += v.get<double>();
    ++window_n;
    if (step % tc.log_every == 0 || step == tc.steps) {
      result.loss = window_loss / static_cast<double>(window_n);
      Json row = Json::object();
      row["step"] = step;
      row["loss"] = result.loss;
      for (const auto& [k, v] : window_extra) row[k] = v / static_cast<double>(window_n);
      row["examples_per_s"] =
          static_cast<double>(window_n * spec.examples_per_step) / std::max(window_clock.seconds(), 1e-9);
      row["elapsed_s"] = clock.seconds();
      if (metrics) metrics->write(row);
      window_loss = 0;
      window_extra.clear();
      window_n = 0;
      window_clock.reset();
    }
    if (bar)
      bar->update(step, format("loss {:.4f} | {:.0f} ex/s", std::isnan(result.loss) ? r.loss : result.loss,
                               bar->rate() * static_cast<double>(spec.examples_per_step)));
    if (step % tc.checkpoint_every == 0 || step == tc.steps) save();
    if (spec.preview && tc.preview_every > 0 && step % tc.preview_every == 0 && step < tc.steps) spec.preview(step);
    if (spec.after_step) spec.after_step(step);
    if (stop_requested(spec, step, clock.seconds(), result)) break;
  }
  if (bar) bar->finish(format("loss {:.4f}", result.loss));
  if (saved_step != step) save();
  result.step = step;
  log::info("{}: stopped at step {} ({}), loss {:.5f}, {:.1f} s; checkpoint {}", spec.who, step, result.stop_reason,
            result.loss, clock.seconds(), result.checkpoint);
  return result;
}

}  // namespace ddm
