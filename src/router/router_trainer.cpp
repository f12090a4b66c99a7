// Router training (see router_trainer.h; design.md section 4).
#include "router/router_trainer.h"

#include <cmath>

#include "diffusion/parameterization.h"
#include "dist/data_parallel.h"
#include "models/speed_settings.h"
#include "router/alpha_dynamics.h"
#include "router/exact_examples.h"
#include "router/party_examples.h"
#include "router/sobolev.h"
#include "train/batch_stream.h"
#include "train/ema.h"
#include "train/optimizer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm {
namespace {

// Averages the gradients over ranks, with the loss and the logged figures in the same pass;
// returns the global batch's loss.
double average_over_ranks(GradientSync& sync, const torch::Tensor& loss, Json& extra) {
  std::vector<double> v{loss.item<double>()};
  for (const auto& [k, x] : extra.items()) v.push_back(x.get<double>());
  const torch::Tensor mean = sync.average(torch::tensor(v, torch::kFloat64));
  size_t i = 1;
  for (auto& [k, x] : extra.items()) x = mean[static_cast<int64_t>(i++)].item<double>();
  return mean[0].item<double>();
}

}  // namespace

Json RouterRunResult::to_json() const {
  Json j = Json::object();  // eval.json's keys in their old order: step and loss first
  j["step"] = loop.step;
  j["loss"] = loop.loss;
  const Json eval = RouterEvaluation::to_json();
  for (const auto& [k, v] : eval.items()) j[k] = v;
  return j;
}

torch::Tensor derivative_loss(const RouterOut& out, const PosteriorOut& exact, const torch::Tensor& t,
                              DerivativeLoss kind, const DerivativeProfile& profile) {
  const torch::Tensor alpha = exact.alpha.to(out.logits.scalar_type());
  const torch::Tensor g = exact.dalpha.to(out.logits.scalar_type());
  if (kind == DerivativeLoss::kMse) return (out.derivative(alpha) - g).pow(2).mean();
  const torch::Tensor err = velocity_error(alpha, out.velocity, exact.velocity.to(alpha.scalar_type()));
  const torch::Tensor scale = profile.scale_at(t, &ProfileRow::velocity_var);
  return (err / scale.to(err.scalar_type())).mean();
}

namespace {

// The cross-entropy of the batch's labels under alpha_hat, each row weighted (router_examples.h).
torch::Tensor weighted_cross_entropy(const torch::Tensor& logits, const RouterBatch& b) {
  return -(torch::log_softmax(logits, 1).gather(1, b.c.unsqueeze(1)).squeeze(1) * b.weight).sum();
}

// One router training run: its examples, networks and optimisers, and the loop's step, save and
// resume (design.md section 4).
class RouterTraining {
 public:
  RouterTraining(const RouterRunOptions& opts, RouterExamples& examples);
  StepReport step(int64_t step);
  void save(Checkpoint& ckpt, int64_t step);
  int64_t resume(const Checkpoint& ckpt);
  RouterRunResult finish(LoopResult loop);
  const TrainConfig& train_config() const { return tc_; }

 private:
  void resolve_bounds();
  void build_networks();
  torch::Tensor stage_loss(const RouterOut& out, const RouterBatch& b, bool stage2, int j, StepReport& r) const;
  torch::Tensor sobolev_loss(RouterNet& net, const RouterBatch& b, StepReport& r) const;
  void start_stage2(int64_t step);

  const RouterRunOptions& opts_;
  const Config& cfg_;
  const RouterConfig& rc_;
  RouterExamples& examples_;
  const bool da_;
  const bool sobolev_;
  const bool bf16_;
  const std::string who_;
  Schedule sch_;
  RouterMeta meta_;
  DerivativeProfile profile_;
  TrainConfig tc_;
  std::vector<std::shared_ptr<RouterNet>> nets_;
  std::vector<std::unique_ptr<Optimizer>> optim_;
  std::vector<std::unique_ptr<GradientSync>> sync_;
  std::vector<std::unique_ptr<Ema>> ema_;  // router.ema > 0: one per network
};

RouterTraining::RouterTraining(const RouterRunOptions& opts, RouterExamples& examples)
    : opts_(opts),
      cfg_(opts.cfg),
      rc_(opts.cfg.router),
      examples_(examples),
      da_(rc_.kind == RouterKind::kMogDa),
      sobolev_(rc_.kind == RouterKind::kSobolev),
      bf16_(use_bf16(cfg_.train.bf16, opts.device, "train.bf16")),
      who_(format("router {}", to_string(rc_.kind))),
      sch_(Schedule::from_config(cfg_.diffusion)) {
  const ExampleInfo& info = examples.info();
  require((!da_ && !sobolev_) || examples.posterior(),
          "router.kind={} needs the exact posterior's derivative: router.targets=exact", to_string(rc_.kind));
  meta_.kind = rc_.kind;
  meta_.targets = to_string(rc_.targets);
  meta_.k = info.k;
  meta_.dataset = info.dataset;
  meta_.sample_shape = info.sample_shape;
  meta_.priors = info.priors;
  meta_.schedule = sch_;
  meta_.t_min = cfg_.diffusion.t_min;
  meta_.architecture = router_architecture_json(cfg_.model, rc_, info.sample_shape, info.k);
  resolve_bounds();
  tc_ = cfg_.train;
  tc_.lr = rc_.lr;
  tc_.batch_size = rc_.batch_size;
  tc_.warmup = std::min<int64_t>(tc_.warmup, std::max<int64_t>(1, rc_.steps / 10));
  tc_.steps = da_ ? rc_.steps + 3 * rc_.stage2_steps : rc_.steps;
  tc_.preview_every = 0;
  tc_.max_minutes = rc_.max_minutes;  // the router's own cap, not the experts'
  build_networks();
  log::info("{}: K = {}, {} network(s), {}", who_, info.k, meta_.networks(), examples.describe());
}

void RouterTraining::build_networks() {
  const ExampleInfo& info = examples_.info();
  torch::manual_seed(cfg_.train.seed);
  const int n_nets = meta_.networks();
  const RouterArch arch = router_arch(cfg_.model, rc_, cfg_.diffusion);
  for (int i = 0; i < n_nets; ++i) {
    nets_.push_back(std::make_shared<RouterNet>(arch, info.sample_shape, info.k, meta_.has_derivative()));
    nets_.back()->to(opts_.device);
  }
  broadcast_tensors(opts_.dist, nets_[0]->parameters());                   // rank 0's initial weights everywhere
  for (int i = 1; i < n_nets; ++i) copy_parameters(*nets_[0], *nets_[i]);  // the same initial weights
  for (int i = 0; i < n_nets; ++i)
    sync_.push_back(std::make_unique<GradientSync>(opts_.dist, nets_[i]->parameters(), examples_.reduce()));
  for (int i = 0; i < n_nets; ++i) optim_.push_back(std::make_unique<Optimizer>(nets_[i]->named_parameters(), tc_));
  for (int i = 0; rc_.ema > 0 && i < n_nets; ++i) {
    ema_.push_back(std::make_unique<Ema>(
        std::make_shared<RouterNet>(arch, info.sample_shape, info.k, meta_.has_derivative()), rc_.ema));
    ema_.back()->shadow().to(opts_.device);
    ema_.back()->reset(*nets_[i]);
  }
}

void RouterTraining::resolve_bounds() {
  if (!rc_.t1.is_auto) meta_.t1 = rc_.t1.value, meta_.t2 = rc_.t2.value;
  if (!da_) return;
  // The exact profile on training examples: the auto bounds, and the relative loss's scale.
  auto& exact = dynamic_cast<ExactExamples&>(examples_);
  profile_ = exact.make_profile(rc_.profile_points, meta_.t_min, sch_.t_max());
  if (opts_.dist.is_main()) atomic_write(path_join(opts_.dir, "profile.json"), profile_.to_json().dump(2) + "\n");
  if (rc_.t1.is_auto) {
    std::tie(meta_.t1, meta_.t2) = profile_.equal_mass_bounds();
    meta_.bounds = "auto: equal thirds of the exact mean |dalpha/dt| mass";
  }
  log::info("{}: intervals [{:.3g}, {:.3g}), [{:.3g}, {:.3g}), [{:.3g}, 1] ({})", who_, meta_.t_min, meta_.t1, meta_.t1,
            meta_.t2, meta_.t2, meta_.bounds);
}

torch::Tensor RouterTraining::stage_loss(const RouterOut& out, const RouterBatch& b, bool stage2, int j,
                                         StepReport& r) const {
  torch::Tensor loss = torch::zeros({}, out.logits.options());
  if (!stage2) {  // stage 2 refines each interval network against the exact targets only
    const torch::Tensor ce = weighted_cross_entropy(out.logits, b);
    loss = loss + ce;
    r.extra["cross_entropy"] = ce.item<double>();
  }
  if (!b.exact.alpha.defined()) return loss;  // labels only
  if (rc_.mse_weight > 0) {
    const torch::Tensor mse =
        (torch::softmax(out.logits, 1) - b.exact.alpha.to(out.logits.scalar_type())).pow(2).mean();
    loss = loss + rc_.mse_weight * mse;
    r.extra[stage2 ? format("alpha_mse_{}", j) : std::string("alpha_mse")] = mse.item<double>();
  }
  if (da_ && rc_.deriv_weight > 0) {  // on from stage 1: the derivative head sees every t from the start
    const torch::Tensor d = derivative_loss(out, b.exact, b.t, rc_.deriv_loss, profile_);
    loss = loss + rc_.deriv_weight * d;
    r.extra[stage2 ? format("dalpha_loss_{}", j) : std::string("dalpha_loss")] = d.item<double>();
  }
  return loss;
}

torch::Tensor RouterTraining::sobolev_loss(RouterNet& net, const RouterBatch& b, StepReport& r) const {
  const torch::Tensor v = velocity_from_denoised(sch_, b.xt, b.exact.denoised.to(b.xt.scalar_type()), b.t);
  // In float32 even under train.bf16: a difference over a log-SNR step of 1e-3 is below bf16's
  // resolution (the time embedding's fastest frequency, 1000 per unit t, needs steps that small).
  torch::Tensor logits;
  const DirectionalDifference d = network_difference(net, sch_, b.xt, b.t, v, rc_.sobolev_step, &logits);
  RouterOut out;
  out.logits = logits;
  torch::Tensor loss = stage_loss(out, b, false, 0, r);
  const torch::Tensor rate = log_snr_rate(sch_, b.t.to(torch::kFloat64)).to(torch::kFloat32);
  const torch::Tensor sob = sobolev_error(d.derivative, b.exact.dalpha.to(torch::kFloat32), rate);
  r.extra["sobolev"] = sob.item<double>();
  return loss + rc_.sobolev_weight * sob;
}

void RouterTraining::start_stage2(int64_t step) {
  // Three copies of the stage-1 network that keep its optimiser state (Adam's moments) and EMA.
  Checkpoint state;
  optim_[0]->save(state, "opt.");
  for (int i = 1; i < 3; ++i) {
    copy_parameters(*nets_[0], *nets_[i]);
    optim_[i]->load(state, "opt.");
    if (!ema_.empty()) copy_parameters(ema_[0]->shadow(), ema_[i]->shadow());
  }
  log::info("{}: stage 1 done at step {}; stage 2 trains one network per time interval", who_, step);
}

StepReport RouterTraining::step(int64_t step) {
  const bool stage2 = da_ && step >= rc_.steps;
  if (da_ && step == rc_.steps) start_stage2(step);
  const int j = stage2 ? static_cast<int>((step - rc_.steps) % 3) : 0;
  const auto bounds = intervals_of(meta_, sch_.t_max());
  const double lo = stage2 ? bounds[j].lo : meta_.t_min, hi = stage2 ? bounds[j].hi : sch_.t_max();
  const RouterBatch b = examples_.batch(step, lo, hi, da_ && rc_.t_sampling == TimeSampling::kMass);
  RouterNet& net = *nets_[j];
  net.train();
  StepReport r;
  torch::Tensor loss;
  if (sobolev_) {
    loss = sobolev_loss(net, b, r);
  } else {
    RouterOut out;
    {
      const AutocastScope autocast(bf16_, opts_.device);
      out = net.forward(b.xt, b.t).to_float();  // the loss and its targets in float32
    }
    loss = stage_loss(out, b, stage2, j, r);
  }
  optim_[j]->zero_grad();
  loss.backward();
  r.loss = average_over_ranks(*sync_[j], loss, r.extra);
  const double gn = optim_[j]->clip_grad_norm();
  if (!std::isfinite(gn)) r.loss = gn;
  if (!std::isfinite(r.loss)) return r;
  // One warm-up for the whole run, one decay over both stages (router.lr_schedule).
  optim_[j]->step(scheduled_lr(rc_.lr, tc_.warmup, rc_.lr_schedule, step, tc_.steps));
  if (!ema_.empty()) ema_[j]->update(net, step);
  return r;
}

void RouterTraining::save(Checkpoint& ckpt, int64_t step) {
  meta_.step = step;
  ckpt.meta["router"] = meta_.to_json();
  ckpt.meta["config"] = config_to_json(cfg_);
  ckpt.meta["data_position"] = examples_.position();
  for (size_t i = 0; i < nets_.size(); ++i) {
    ckpt.put_module(format("net{}.", i), *nets_[i]);
    optim_[i]->save(ckpt, format("opt{}.", i));
    if (!ema_.empty()) ckpt.put_module(format("ema{}.", i), ema_[i]->shadow());
  }
}

int64_t RouterTraining::resume(const Checkpoint& ckpt) {
  const RouterMeta have = RouterMeta::from_json(ckpt.meta.at("router"), ckpt.source);
  // Architectures compare by value: 1 and 1.0 are the same number (older checkpoints wrote "1").
  if (normalized_architecture(have.architecture) != meta_.architecture || have.kind != meta_.kind || have.k != meta_.k)
    fail(
        "{}: cannot resume: it is a {} router with K = {} and architecture {}, the config asks for {} with K = {} and "
        "{} "
        "(use another run.dir, or --restart)",
        ckpt.source, to_string(have.kind), have.k, have.architecture.dump(), to_string(meta_.kind), meta_.k,
        meta_.architecture.dump());
  if (have.targets != meta_.targets)
    fail("{}: cannot resume: trained with router.targets={}, the config asks for {} (use --restart)", ckpt.source,
         have.targets, meta_.targets);
  if (have.t1 != meta_.t1 || have.t2 != meta_.t2)
    fail("{}: cannot resume: trained with intervals t1 = {}, t2 = {}, the config gives {}, {} (use --restart)",
         ckpt.source, have.t1, have.t2, meta_.t1, meta_.t2);
  for (size_t i = 0; i < nets_.size(); ++i) {
    ckpt.load_module(format("net{}.", i), *nets_[i]);
    optim_[i]->load(ckpt, format("opt{}.", i));
    if (!ema_.empty()) {
      require(ckpt.has(format("ema{}.alpha_head.weight", i)),
              "{}: cannot resume with router.ema = {}: it was trained without an EMA (use --restart)", ckpt.source,
              rc_.ema);
      ckpt.load_module(format("ema{}.", i), ema_[i]->shadow());
    }
  }
  examples_.restore(ckpt.meta.at("data_position"), have.step, ckpt.source);
  return have.step;
}

RouterRunResult RouterTraining::finish(LoopResult loop) {
  Router router;
  router.meta = meta_;
  router.path = loop.checkpoint;
  // What loading the checkpoint gives: the EMA weights where there are some.
  for (size_t i = 0; i < nets_.size(); ++i)
    router.nets.push_back(ema_.empty() ? nets_[i] : std::static_pointer_cast<RouterNet>(ema_[i]->shadow_ptr()));
  for (auto& n : router.nets) n->eval();
  RouterRunResult res;
  static_cast<RouterEvaluation&>(res) =
      evaluate_router(router, examples_, rc_.eval_samples, static_cast<uint64_t>(cfg_.train.seed) + 4242, opts_.dist,
                      opts_.device, rc_.sobolev_step);
  res.loop = std::move(loop);
  Json j = res.to_json();
  j["t1"] = meta_.t1;
  j["t2"] = meta_.t2;
  j["bounds"] = meta_.bounds;
  j["targets"] = meta_.targets;
  if (opts_.dist.is_main()) atomic_write(path_join(opts_.dir, "eval.json"), j.dump(2) + "\n");
  return res;
}

}  // namespace

RouterRunResult train_router(const RouterRunOptions& opts, RouterExamples& examples) {
  RouterTraining run(opts, examples);
  LoopSpec loop = make_loop_spec(format("router {}", to_string(opts.cfg.router.kind)), opts.dir, run.train_config(),
                                 opts.restart, opts.progress, opts.after_step);
  loop.dist = opts.dist;
  loop.step = [&](int64_t step) { return run.step(step); };
  loop.save = [&](Checkpoint& ckpt, int64_t step) { run.save(ckpt, step); };
  loop.resume = [&](const Checkpoint& ckpt) { return run.resume(ckpt); };
  return run.finish(run_training_loop(loop));
}

std::unique_ptr<RouterExamples> pooled_examples(const RouterRunOptions& opts, const Dataset& data,
                                                const ShardManifest& manifest) {
  const RouterConfig& rc = opts.cfg.router;
  const Schedule sch = Schedule::from_config(opts.cfg.diffusion);
  const uint64_t seed = static_cast<uint64_t>(opts.cfg.train.seed);
  if (rc.targets == RouterTargets::kLabels) {
    const PartyExampleOptions o = party_options(rc, opts.cfg.train.seed, "labels", opts.dist, opts.device);
    require(!opts.dist.active(),
            "router.targets=labels under torchrun: set router.federated=true (one party per rank)");
    // A view of the caller's data set: the parties index it, nothing is copied.
    const std::shared_ptr<const Dataset> view(std::shared_ptr<const Dataset>{}, &data);
    return std::make_unique<PartyExamples>(shard_parties(view, manifest), manifest.priors(), sch, o);
  }
  require(rc.targets == RouterTargets::kExact,
          "router.targets={}: the examples are the experts' samples, not the data set", to_string(rc.targets));
  const bool da = rc.kind != RouterKind::kMogA;
  ExactExampleOptions o{rc.batch_size, rc.holdout, seed, rc.mse_weight > 0 || da, da, opts.dist, opts.device};
  return std::make_unique<ExactExamples>(data, manifest, sch, o);
}

RouterRunResult train_router(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest) {
  const std::unique_ptr<RouterExamples> examples = pooled_examples(opts, data, manifest);
  return train_router(opts, *examples);
}

}  // namespace ddm
