// The expert training loop (see expert_trainer.h).
#include "train/expert_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "data/grid.h"
#include "models/denoiser.h"
#include "train/batch_stream.h"
#include "train/expert_step.h"
#include "train/loop.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/plot.h"

namespace ddm {
namespace {

// Refuses to resume a checkpoint made with another architecture, schedule, parameterisation or
// shard: those would silently train a different model.
void check_resumable(const ExpertMeta& have, const ExpertMeta& want, const std::string& path) {
  // By value, not by text: 1 and 1.0 are the same number (checkpoints before nlohmann-json wrote "1").
  auto differ = [&](const char* what, const Json& a, const Json& b) {
    auto text = [](const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
    if (a != b)
      fail("{}: cannot resume: its {} is {} but the config gives {} (use another run.dir, or --restart to start over)",
           path, what, text(a), text(b));
  };
  differ("architecture", normalized_architecture(have.architecture), want.architecture);
  differ("schedule", have.schedule.to_json(), want.schedule.to_json());
  differ("prediction", to_string(have.prediction), to_string(want.prediction));
  differ("shard", have.to_json().at("shard"), want.to_json().at("shard"));
  differ("data set", have.dataset, want.dataset);
}

// train-expert --init: the weights of another expert of the same architecture (an imported
// UNet2DModel, or another run's expert) as the starting point, in both the network and its EMA.
void init_from(ExpertStep& es, const ExpertMeta& want, const std::string& path) {
  const Checkpoint ckpt = load_checkpoint(path);
  require(ckpt.meta.contains("expert"), "--init {}: not an expert checkpoint", path);
  const ExpertMeta have = ExpertMeta::from_json(ckpt.meta.at("expert"), path);
  require(normalized_architecture(have.architecture) == want.architecture,
          "--init {}: its architecture {} differs from the config's {}", path, have.architecture.dump(),
          want.architecture.dump());
  require(have.schedule == want.schedule && have.prediction == want.prediction,
          "--init {}: trained with the {} schedule and {}-prediction, the config gives {} and {}", path,
          have.schedule.describe(), to_string(have.prediction), want.schedule.describe(), to_string(want.prediction));
  ckpt.load_module("ema.", *es.net);
  ckpt.load_module("ema.", *es.ema_net);
  log::info("initialised from {} (step {})", path, have.step);
}

// Data parallelism's end-of-run check: the largest difference of any rank's weights from rank
// 0's (0 when the ranks stayed in step) and the gradient all_reduce time per step.
void report_ranks(ExpertStep& es, const Dist& dist, const std::string& who, int64_t steps, ExpertRunResult& result) {
  result.rank_divergence = max_divergence(dist, es.state_tensors());
  result.allreduce_s_per_step = es.sync_seconds() / static_cast<double>(std::max<int64_t>(1, steps));
  log::info("{}: {} ranks, weights {} (max difference {}), {:.2f} ms per step in gradient all_reduce", who,
            dist.world(), result.rank_divergence == 0 ? "identical on every rank" : "DIFFER across ranks",
            result.rank_divergence, result.allreduce_s_per_step * 1e3);
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
  const SampleConfig defaults;  // the sampler's default solver, clip and grid
  const SolverSettings solver = solver_settings(defaults.solver, defaults.clip_x0, shape.size() == 3);
  const torch::Tensor x =
      solve_ode(sch, step_free(d), noise, time_grid(sch, steps, defaults.spacing, t_min), solver).cpu();
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
  const std::vector<int64_t> shape = data.sample_shape();
  const std::string who = opts.shard == kAllShards ? "expert all" : format("expert {}", opts.shard);

  ExpertStep es(cfg.model, cfg.diffusion, cfg.train, shape, opts.device, opts.dist);
  const BatchShare share = batch_share(tc.batch_size, opts.dist, "train.batch_size");
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
  if (!opts.init.empty()) init_from(es, meta, opts.init);  // a checkpoint of this run, if any, overrides it on resume
  ExpertRunResult result;

  auto preview = [&](const std::string& name, int64_t step) {
    if (tc.preview_count <= 0 || !opts.dist.is_main()) return;
    const std::string path = path_join(opts.dir, name);
    save_expert_preview(path, *es.ema_net, es.schedule, es.prediction, shape, es.t_min, tc.preview_count,
                        tc.preview_steps, static_cast<uint64_t>(tc.seed) + 12345, opts.device,
                        format("{} step {}", who, step));
    result.preview = path;
  };

  LoopSpec loop = make_loop_spec(who, opts.dir, tc, opts.restart, opts.progress, opts.after_step);
  loop.dist = opts.dist;
  int64_t steps_run = 0;
  loop.step = [&](int64_t step) {
    const double synced = es.sync_seconds();
    const StepStats st = es.step(data.batch(share.take(stream.next())).to(opts.device), step);
    ++steps_run;
    StepReport r;
    r.loss = st.loss.item<double>();
    if (!std::isfinite(st.grad_norm)) r.loss = st.grad_norm;  // a bad gradient stops the loop too
    r.extra["grad_norm"] = st.grad_norm;
    r.extra["lr"] = learning_rate(tc, step);
    if (opts.dist.active()) r.extra["allreduce_s"] = es.sync_seconds() - synced;
    return r;
  };
  loop.save = [&](Checkpoint& ckpt, int64_t step) {
    meta.step = step;
    ckpt.meta["expert"] = meta.to_json();
    ckpt.meta["config"] = config_to_json(cfg);
    ckpt.meta["data_position"] = stream.state();
    es.save(ckpt);
  };
  loop.resume = [&](const Checkpoint& ckpt) {
    require(!ckpt.meta.contains("imported_from"),
            "{}: imported (ddm import), with no optimiser state to resume: fine-tune it with train-expert --init {} in "
            "another run.dir",
            ckpt.source, ckpt.source);
    const ExpertMeta have = ExpertMeta::from_json(ckpt.meta.at("expert"), ckpt.source);
    check_resumable(have, meta, ckpt.source);
    es.load(ckpt);
    stream.restore(ckpt.meta.at("data_position"), ckpt.source);
    return have.step;
  };
  loop.preview = [&](int64_t step) { preview(format("preview_{:08d}.png", step), step); };
  log::info("{}: {} examples, {} parameters ({}), {} schedule, {}-prediction, device {}", who, data.size(),
            parameter_count(*es.net), meta.architecture.at("arch").get<std::string>(), es.schedule.describe(),
            to_string(es.prediction), opts.device.str());

  const LoopResult r = run_training_loop(loop);
  if (opts.dist.active()) report_ranks(es, opts.dist, who, steps_run, result);
  result.step = r.step;
  result.loss = r.loss;
  result.checkpoint = r.checkpoint;
  result.stop_reason = r.stop_reason;
  result.signal = r.signal;
  if (r.signal == 0) preview("preview.png", r.step);
  return result;
}

}  // namespace ddm
