// The expert training loop (see expert_trainer.h).
#include "train/expert_trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/version.h>

#include <cmath>

#include "data/grid.h"
#include "models/denoiser.h"
#include "train/batch_stream.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/plot.h"
#include "util/progress.h"
#include "util/signals.h"
#include "util/timer.h"

namespace ddm {
namespace {

// Refuses to resume a checkpoint made with another architecture, schedule, parameterisation or
// shard: those would silently train a different model.
void check_resumable(const ExpertMeta& have, const ExpertMeta& want, const std::string& path) {
  auto differ = [&](const char* what, const std::string& a, const std::string& b) {
    if (a != b)
      fail("{}: cannot resume: its {} is {} but the config gives {} (use another run.dir, or --restart to start over)", path,
           what, a, b);
  };
  differ("architecture", have.architecture.dump(), want.architecture.dump());
  differ("schedule", have.schedule.to_json().dump(), want.schedule.to_json().dump());
  differ("prediction", to_string(have.prediction), to_string(want.prediction));
  differ("shard", have.to_json().at("shard").dump(), want.to_json().at("shard").dump());
  differ("data set", have.dataset, want.dataset);
}

}  // namespace

void save_expert_preview(const std::string& path, Network& ema_net, const Schedule& sch, Prediction pred,
                         const std::vector<int64_t>& shape, double t_min, int count, int steps, uint64_t seed,
                         torch::Device device, const std::string& title) {
  torch::NoGradGuard no_grad;
  const bool was_training = ema_net.is_training();
  ema_net.eval();
  std::vector<int64_t> full{count};
  full.insert(full.end(), shape.begin(), shape.end());
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor noise = torch::randn(full, gen, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
  const DenoiseFn d = [&](const torch::Tensor& x, double t) { return network_denoise(ema_net, sch, pred, x, t); };
  const torch::Tensor x = solve_ode(sch, d, noise, time_grid(sch, steps, Spacing::kUniform, t_min), SolverKind::kDdim).cpu();
  if (was_training) ema_net.train();
  if (shape.size() == 3) {
    save_grid(path, x);
    return;
  }
  PlotSeries s{"samples", {}, {}, true};
  for (int64_t i = 0; i < x.size(0); ++i) {
    s.x.push_back(x[i][0].item<double>());
    s.y.push_back(shape[0] > 1 ? x[i][1].item<double>() : 0.0);
  }
  PlotOptions o;
  o.title = title;
  o.xlabel = "x1";
  o.ylabel = "x2";
  o.equal_aspect = true;
  save_plot(path, {s}, o);
}

ExpertRunResult train_expert(const ExpertRunOptions& opts, const Dataset& data) {
  const Config& cfg = opts.cfg;
  const TrainConfig& tc = cfg.train;
  ensure_writable_dir(opts.dir);
  const std::vector<int64_t> shape = data.sample_shape();
  const std::string who = opts.shard == kAllShards ? "expert all" : format("expert {}", opts.shard);

  ExpertStep es(cfg, shape, opts.device);
  ExpertMeta meta;
  meta.shard = opts.shard;
  meta.k = opts.k;
  meta.dataset = data.name;
  meta.sample_shape = shape;
  meta.schedule = es.schedule;
  meta.prediction = es.prediction;
  meta.t_min = es.t_min;
  meta.architecture = architecture_json(cfg.model, shape);

  BatchStream stream(data.size(), tc.batch_size, static_cast<uint64_t>(tc.seed));
  const CheckpointDir ckpts(opts.dir, tc.keep_checkpoints);
  if (opts.restart) ckpts.remove_all();

  ExpertRunResult result;
  int64_t step = 0;
  if (const std::string last = ckpts.latest(); !last.empty()) {
    const Checkpoint ckpt = load_checkpoint(last);
    const ExpertMeta have = ExpertMeta::from_json(ckpt.meta.at("expert"), last);
    check_resumable(have, meta, last);
    es.load(ckpt);
    stream.restore(ckpt.meta.at("data_position"), last);
    set_cpu_rng_state(ckpt.get("rng.cpu"));
    step = have.step;
    meta.step = step;
    result.checkpoint = last;
    log::info("{}: resuming from {} (step {})", who, last, step);
  } else {
    log::info("{}: {} examples, {} parameters ({}), {} schedule, {}-prediction, device {}", who, data.size(),
              parameter_count(*es.net), meta.architecture.at("arch").as_string(), es.schedule.describe(),
              to_string(es.prediction), opts.device.str());
  }

  auto save = [&](double loss) {
    Checkpoint ckpt;
    meta.step = step;
    ckpt.meta["format"] = "ddm-checkpoint-v1";
    ckpt.meta["expert"] = meta.to_json();
    ckpt.meta["config"] = config_to_json(cfg);
    ckpt.meta["data_position"] = stream.state();
    ckpt.meta["loss"] = loss;
    ckpt.meta["libtorch"] = TORCH_VERSION;
    es.save(ckpt);
    ckpt.put("rng.cpu", cpu_rng_state());
    result.checkpoint = ckpts.save(ckpt, step);
    log::debug("{}: checkpoint {}", who, result.checkpoint);
  };
  auto preview = [&](const std::string& name) {
    if (tc.preview_count <= 0) return;
    const std::string path = path_join(opts.dir, name);
    save_expert_preview(path, *es.ema_net, es.schedule, es.prediction, shape, es.t_min, tc.preview_count, tc.preview_steps,
                        static_cast<uint64_t>(tc.seed) + 12345, opts.device, format("{} step {}", who, step));
    result.preview = path;
  };

  const JsonlWriter metrics(path_join(opts.dir, "metrics.jsonl"));
  StopSignal stop_signal;
  Stopwatch clock;
  std::unique_ptr<ProgressBar> bar;
  if (opts.progress) {
    bar = std::make_unique<ProgressBar>(who, tc.steps, "step");
    bar->start_at(step);
  }
  double window_loss = 0;
  int64_t window_n = 0, window_start = step;
  Stopwatch window_clock;
  result.stop_reason = "done";
  double last_loss = std::nan("");
  while (step < tc.steps) {
    const torch::Tensor x0 = data.batch(stream.next()).to(opts.device);
    const StepStats st = es.step(x0, step);
    const double loss = st.loss.item<double>();
    if (!std::isfinite(loss) || !std::isfinite(st.grad_norm))
      fail("{}: step {}: loss {} or gradient norm {} is not finite: training stopped without updating the weights; the last "
           "good checkpoint is {}",
           who, step + 1, loss, st.grad_norm, result.checkpoint.empty() ? std::string("(none yet)") : result.checkpoint);
    ++step;
    window_loss += loss;
    ++window_n;
    if (step % tc.log_every == 0 || step == tc.steps) {
      last_loss = window_loss / static_cast<double>(window_n);
      const double secs = window_clock.seconds();
      Json row = Json::object();
      row["step"] = step;
      row["loss"] = last_loss;
      row["lr"] = learning_rate(tc, step - 1);
      row["grad_norm"] = st.grad_norm;
      row["images_per_s"] = static_cast<double>((step - window_start) * tc.batch_size) / std::max(secs, 1e-9);
      row["elapsed_s"] = clock.seconds();
      metrics.write(row);
      window_loss = 0;
      window_n = 0;
      window_start = step;
      window_clock.reset();
    }
    if (bar) bar->update(step, format("loss {:.4f} | {:.0f} img/s", std::isnan(last_loss) ? loss : last_loss, bar->rate() * tc.batch_size));
    if (step % tc.checkpoint_every == 0 || step == tc.steps) save(last_loss);
    if (tc.preview_every > 0 && step % tc.preview_every == 0 && step < tc.steps) preview(format("preview_{:08d}.png", step));
    if (opts.after_step) opts.after_step(step);
    if (StopSignal::requested()) {
      result.signal = StopSignal::signal_number();
      result.stop_reason = StopSignal::signal_name();
      StopSignal::reset();
      break;
    }
    if (tc.max_minutes > 0 && clock.seconds() > tc.max_minutes * 60) {
      result.stop_reason = "time limit";
      break;
    }
  }
  if (bar) bar->finish(format("loss {:.4f}", last_loss));
  if (result.checkpoint.empty() || meta.step != step) save(last_loss);
  result.step = step;
  result.loss = last_loss;
  if (result.signal == 0) preview("preview.png");
  log::info("{}: stopped at step {} ({}), loss {:.5f}, {:.1f} s; checkpoint {}", who, step, result.stop_reason, last_loss,
            clock.seconds(), result.checkpoint);
  return result;
}

}  // namespace ddm
