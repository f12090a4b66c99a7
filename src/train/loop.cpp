// The shared training loop (see loop.h).
#include "train/loop.h"

#include <cmath>
#include <map>
#include <memory>

#include <torch/version.h>

#include "train/batch_stream.h"
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
// A signal, or the wall-time cap before the last step: fills the result's reason.
bool stop_requested(const LoopSpec& spec, int64_t step, double seconds, LoopResult& result) {
  const TrainConfig& tc = spec.train;
  if (StopSignal::requested()) {
    result.signal = StopSignal::signal_number();
    result.stop_reason = StopSignal::signal_name();
    StopSignal::reset();
    return true;
  }
  if (tc.max_minutes > 0 && seconds > tc.max_minutes * 60 && step < tc.steps) {
    // A cap, not a way to stop: the same command must give the same model anywhere.
    result.stop_reason = "time limit";
    log::warn("{}: the wall-time cap ({} min) stopped the run at step {} of {}; run the same command again to resume", spec.who,
              tc.max_minutes, step, tc.steps);
    return true;
  }
  return false;
}
}  // namespace

LoopResult run_training_loop(const LoopSpec& spec) {
  const TrainConfig& tc = spec.train;
  ensure_writable_dir(spec.dir);
  const CheckpointDir ckpts(spec.dir, tc.keep_checkpoints);
  if (spec.restart) ckpts.remove_all();

  LoopResult result;
  int64_t step = 0, saved_step = -1;
  if (const std::string last = ckpts.latest(); !last.empty()) {
    const Checkpoint ckpt = load_checkpoint(last);
    step = spec.resume(ckpt);
    set_cpu_rng_state(ckpt.get("rng.cpu"));
    saved_step = step;
    result.checkpoint = last;
    log::info("{}: resuming from {} (step {})", spec.who, last, step);
  }
  double window_loss = 0;
  auto save = [&] {
    Checkpoint ckpt;
    ckpt.meta["format"] = "ddm-checkpoint-v1";
    ckpt.meta["loss"] = result.loss;
    ckpt.meta["libtorch"] = TORCH_VERSION;
    spec.save(ckpt, step);
    ckpt.put("rng.cpu", cpu_rng_state());
    result.checkpoint = ckpts.save(ckpt, step);
    saved_step = step;
  };

  const JsonlWriter metrics(path_join(spec.dir, "metrics.jsonl"));
  StopSignal stop_signal;
  Stopwatch clock, window_clock;
  std::unique_ptr<ProgressBar> bar;
  if (spec.progress) {
    bar = std::make_unique<ProgressBar>(spec.who, tc.steps, "step");
    bar->start_at(step);
  }
  std::map<std::string, double> window_extra;
  int64_t window_n = 0;
  result.loss = std::nan("");
  result.stop_reason = "done";
  while (step < tc.steps) {
    const StepReport r = spec.step(step);
    if (!std::isfinite(r.loss))
      fail("{}: step {}: the loss {} is not finite: training stopped without updating the weights; the last good "
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
      row["examples_per_s"] = static_cast<double>(window_n * spec.examples_per_step) / std::max(window_clock.seconds(), 1e-9);
      row["elapsed_s"] = clock.seconds();
      metrics.write(row);
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
  log::info("{}: stopped at step {} ({}), loss {:.5f}, {:.1f} s; checkpoint {}", spec.who, step, result.stop_reason, result.loss,
            clock.seconds(), result.checkpoint);
  return result;
}

}  // namespace ddm
