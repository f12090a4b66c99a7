// Router training (see router_trainer.h; design.md section 4).
#include "router/router_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "diffusion/parameterization.h"
#include "diffusion/solvers.h"
#include "dist/data_parallel.h"
#include "models/speed_settings.h"
#include "router/alpha_dynamics.h"
#include "router/alpha_integrator.h"
#include "router/sobolev.h"
#include "train/batch_stream.h"
#include "train/ema.h"
#include "train/optimizer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm {
namespace {

// MoG-da's three intervals [t_min, t1), [t1, t2), [t2, t_max].
std::vector<IntervalEval> intervals_of(const RouterMeta& m, double t_max) {
  return {{"near data", m.t_min, m.t1}, {"transition", m.t1, m.t2}, {"near noise", m.t2, t_max}};
}

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

torch::Tensor uniform_times(int64_t n, double lo, double hi, torch::Device device, at::Generator* gen = nullptr) {
  const torch::Tensor u = gen ? torch::rand({n}, *gen, torch::kFloat32) : torch::rand({n}, torch::kFloat32);
  return (u * (hi - lo) + lo).to(device);
}

// The Sobolev router's total derivative along the exact PF-ODE by central difference, and the
// alpha at the centre (one forward pass of 3B points).
DirectionalDifference sobolev_derivative(RouterNet& net, const Schedule& sch, const torch::Tensor& x,
                                         const torch::Tensor& t, const torch::Tensor& v, double h,
                                         torch::Tensor* logits = nullptr) {
  const torch::Tensor dt = difference_steps(sch, t.to(torch::kFloat64), h).to(t.scalar_type());
  const TangentPoints p = tangent_points(x, t, v, dt);
  const torch::Tensor y = net.forward(p.x, p.t).to_float().logits;
  if (logits) *logits = y.slice(0, 0, x.size(0));
  return central_difference(torch::softmax(y, 1), dt.to(torch::kFloat32));
}

// How far the central difference is from the exact JVP on a held-out batch (relative L2).
double difference_error(RouterNet& net, const Schedule& sch, const torch::Tensor& x, const torch::Tensor& t,
                        const torch::Tensor& v, double h) {
  AlphaFn f = [&](const torch::Tensor& xx, const torch::Tensor& tt) {
    return torch::softmax(net.forward(xx, tt).to_float().logits, 1);
  };
  const torch::Tensor dt = difference_steps(sch, t.to(torch::kFloat64), h).to(t.scalar_type());
  const torch::Tensor fd = directional_difference(f, x, t, v, dt).derivative.detach();
  const torch::Tensor jvp = directional_jvp(f, x, t, v);
  return ((fd - jvp).norm() / jvp.norm().clamp_min(1e-30)).item<double>();
}

}  // namespace

Json RouterRunResult::to_json() const {
  Json j = Json::object();
  j["step"] = loop.step;
  j["loss"] = loop.loss;
  Json rows = Json::array();
  for (const auto& e : intervals) {
    Json r = Json::object();
    r["interval"] = e.name;
    r["t_lo"] = e.lo;
    r["t_hi"] = e.hi;
    r["cross_entropy"] = e.cross_entropy;
    r["alpha_mae"] = e.alpha_mae;
    r["dalpha_mae"] = e.dalpha_mae;
    rows.push_back(r);
  }
  j["heldout"] = rows;
  j["integrated_tv"] = integrated_tv;
  j["integrated_steps"] = integrated_steps;
  if (!std::isnan(difference_error)) j["difference_error"] = difference_error;
  return j;
}

RouterRunResult evaluate_router(const Router& router, const ExactPosterior& exact, const Dataset& data,
                                const torch::Tensor& clusters, const torch::Tensor& heldout, int samples, uint64_t seed,
                                torch::Device device, double sobolev_step) {
  torch::NoGradGuard no_grad;
  const bool sobolev = router.meta.kind == RouterKind::kSobolev;
  RouterRunResult res;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const Schedule& sch = router.meta.schedule;
  const torch::Tensor pick = heldout.index_select(0, torch::randint(heldout.size(0), {samples}, gen, torch::kInt64));
  const torch::Tensor x0 = data.batch(pick).to(device);
  const torch::Tensor c = clusters.index_select(0, pick).to(device);
  for (IntervalEval e : intervals_of(router.meta, sch.t_max())) {
    const torch::Tensor t = uniform_times(samples, e.lo, e.hi, device, &gen);
    const torch::Tensor eps = torch::randn(x0.sizes(), gen, torch::kFloat32).to(device);
    const torch::Tensor xt = as_column(sch.alpha(t), x0.dim()) * x0 + as_column(sch.sigma(t), x0.dim()) * eps;
    const PosteriorOut ex = exact.compute(xt, t, router.meta.kind != RouterKind::kMogA);
    const auto& net = router.nets[router.meta.network_at((e.lo + e.hi) / 2)];
    const RouterOut out = net->forward(xt, t);
    const torch::Tensor logp = torch::log_softmax(out.logits.to(torch::kFloat64), 1);
    e.cross_entropy = -logp.gather(1, c.unsqueeze(1)).mean().item<double>();
    const torch::Tensor exact_alpha = ex.alpha.to(torch::kFloat64);
    e.alpha_mae = (logp.exp() - exact_alpha).abs().mean().item<double>();
    if (router.meta.has_derivative()) {
      const torch::Tensor g = out.derivative(ex.alpha.to(out.logits.scalar_type())).to(torch::kFloat64);
      e.dalpha_mae = (g - ex.dalpha.to(torch::kFloat64)).abs().mean().item<double>();
    }
    if (sobolev) {
      const torch::Tensor v = velocity_from_denoised(sch, xt, ex.denoised.to(xt.scalar_type()), t);
      const torch::Tensor g = sobolev_derivative(*net, sch, xt, t, v, sobolev_step).derivative.to(torch::kFloat64);
      e.dalpha_mae = (g - ex.dalpha.to(torch::kFloat64)).abs().mean().item<double>();
      if (std::isnan(res.difference_error))  // on the near-data interval's first 64 points
        res.difference_error =
            difference_error(*net, sch, xt.slice(0, 0, 64), t.slice(0, 0, 64), v.slice(0, 0, 64), sobolev_step);
    }
    res.intervals.push_back(e);
  }
  if (router.meta.has_derivative()) {
    // Integrate alpha from the prior along exact PF-ODE paths (DDIM with the exact D), as the
    // sampler does, and compare with the exact alpha where the paths end.
    const int64_t paths = std::min<int64_t>(samples, 128);
    std::vector<int64_t> shape{paths};
    for (int64_t s : router.meta.sample_shape) shape.push_back(s);
    torch::Tensor x = torch::randn(shape, gen, torch::kFloat32).to(device);
    AlphaIntegrator integ(IntegrationMode::kLogit);
    integ.begin(router.prior(paths, device));
    res.integrated_steps = 25;
    const auto grid = evaluation_times(sch, res.integrated_steps, Spacing::kUniform, router.meta.t_min);
    torch::Tensor a;
    for (size_t n = 0; n < grid.size(); ++n) {
      a = integ.at(router.evaluate(x, grid[n]), grid[n]);
      if (n + 1 < grid.size())
        x = ddim_step(sch, x, exact.denoise(x, grid[n]).to(torch::kFloat32), grid[n], grid[n + 1]);
    }
    res.integrated_tv =
        total_variation(a.to(torch::kFloat64), exact.alpha(x, grid.back()).to(torch::kFloat64)).mean().item<double>();
  }
  return res;
}

DerivativeProfile router_profile(const RouterConfig& rc, const ExactPosterior& exact, const Dataset& data,
                                 const torch::Tensor& indices, double t_min, double t_max, uint64_t seed,
                                 torch::Device device) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return derivative_profile(exact, data, indices, 32, rc.profile_points, t_min, t_max, gen, device);
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

// One router training run: its data split, exact targets, networks and optimisers, and the
// loop's step, save and resume (design.md section 4).
class RouterTraining {
 public:
  RouterTraining(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest);
  StepReport step(int64_t step);
  void save(Checkpoint& ckpt, int64_t step);
  int64_t resume(const Checkpoint& ckpt);
  RouterRunResult finish(LoopResult loop);
  const TrainConfig& train_config() const { return tc_; }

 private:
  void split_data();
  void resolve_bounds();
  torch::Tensor stage_loss(const RouterOut& out, const torch::Tensor& c, const torch::Tensor& t, const PosteriorOut& ex,
                           bool stage2, int j, StepReport& r) const;
  torch::Tensor sobolev_loss(RouterNet& net, const torch::Tensor& xt, const torch::Tensor& c, const torch::Tensor& t,
                             const PosteriorOut& ex, StepReport& r) const;
  void start_stage2(int64_t step);

  const RouterRunOptions& opts_;
  const Config& cfg_;
  const RouterConfig& rc_;
  const Dataset& data_;
  const bool da_;
  const bool sobolev_;
  const bool bf16_;
  const std::string who_;
  Schedule sch_;
  RouterMeta meta_;
  torch::Tensor clusters_, heldout_, train_idx_;
  ExactPosterior exact_;
  DerivativeProfile profile_;
  TrainConfig tc_;
  std::vector<std::shared_ptr<RouterNet>> nets_;
  std::vector<std::unique_ptr<Optimizer>> optim_;
  std::vector<std::unique_ptr<GradientSync>> sync_;
  std::vector<std::unique_ptr<Ema>> ema_;  // router.ema > 0: one per network
  std::unique_ptr<BatchStream> stream_;
  BatchShare share_;
};

RouterTraining::RouterTraining(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest)
    : opts_(opts),
      cfg_(opts.cfg),
      rc_(opts.cfg.router),
      data_(data),
      da_(rc_.kind == RouterKind::kMogDa),
      sobolev_(rc_.kind == RouterKind::kSobolev),
      bf16_(use_bf16(cfg_.train.bf16, opts.device, "train.bf16")),
      who_(format("router {}", to_string(rc_.kind))),
      sch_(Schedule::from_config(cfg_.diffusion)),
      clusters_(manifest.assignment()),
      exact_(make_exact_posterior(data, manifest, sch_, opts.device)) {
  const std::vector<int64_t> shape = data.sample_shape();
  meta_.kind = rc_.kind;
  meta_.k = manifest.k;
  meta_.dataset = data.name;
  meta_.sample_shape = shape;
  meta_.priors = manifest.priors();
  meta_.schedule = sch_;
  meta_.t_min = cfg_.diffusion.t_min;
  meta_.architecture = router_architecture_json(cfg_.model, rc_, shape, manifest.k);
  split_data();
  resolve_bounds();

  torch::manual_seed(cfg_.train.seed);
  const int n_nets = meta_.networks();
  const RouterArch arch = router_arch(cfg_.model, rc_, cfg_.diffusion);
  for (int i = 0; i < n_nets; ++i) {
    nets_.push_back(std::make_shared<RouterNet>(arch, shape, manifest.k, meta_.has_derivative()));
    nets_.back()->to(opts.device);
  }
  broadcast_tensors(opts.dist, nets_[0]->parameters());                    // rank 0's initial weights everywhere
  for (int i = 1; i < n_nets; ++i) copy_parameters(*nets_[0], *nets_[i]);  // the same initial weights
  for (int i = 0; i < n_nets; ++i) sync_.push_back(std::make_unique<GradientSync>(opts.dist, nets_[i]->parameters()));
  tc_ = cfg_.train;
  tc_.lr = rc_.lr;
  tc_.batch_size = rc_.batch_size;
  tc_.warmup = std::min<int64_t>(tc_.warmup, std::max<int64_t>(1, rc_.steps / 10));
  tc_.steps = da_ ? rc_.steps + 3 * rc_.stage2_steps : rc_.steps;
  tc_.preview_every = 0;
  tc_.max_minutes = rc_.max_minutes;  // the router's own cap, not the experts'
  for (int i = 0; i < n_nets; ++i) optim_.push_back(std::make_unique<Optimizer>(nets_[i]->named_parameters(), tc_));
  for (int i = 0; rc_.ema > 0 && i < n_nets; ++i) {
    ema_.push_back(
        std::make_unique<Ema>(std::make_shared<RouterNet>(arch, shape, manifest.k, meta_.has_derivative()), rc_.ema));
    ema_.back()->shadow().to(opts.device);
    ema_.back()->reset(*nets_[i]);
  }
  stream_ = std::make_unique<BatchStream>(train_idx_.size(0), tc_.batch_size, static_cast<uint64_t>(cfg_.train.seed));
  share_ = batch_share(tc_.batch_size, opts.dist, "router.batch_size");
  log::info("{}: K = {}, {} training / {} held-out examples, {} network(s), exact targets over {} points", who_,
            manifest.k, train_idx_.size(0), heldout_.size(0), n_nets, exact_.size());
}

void RouterTraining::split_data() {
  // Held-out examples: a fixed random share, never trained on.
  at::Generator split_gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(cfg_.train.seed) + 777);
  const torch::Tensor perm = torch::randperm(data_.size(), split_gen, torch::kInt64);
  const int64_t n_hold =
      std::max<int64_t>(1, static_cast<int64_t>(std::llround(rc_.holdout * static_cast<double>(data_.size()))));
  require(data_.size() > n_hold, "{}: {} examples are too few to hold {} out", who_, data_.size(), n_hold);
  heldout_ = std::get<0>(perm.slice(0, 0, n_hold).sort());
  train_idx_ = std::get<0>(perm.slice(0, n_hold).sort());
}

void RouterTraining::resolve_bounds() {
  if (!rc_.t1.is_auto) meta_.t1 = rc_.t1.value, meta_.t2 = rc_.t2.value;
  if (!da_) return;
  // The exact profile on training examples: the auto bounds, and the relative loss's scale.
  profile_ = router_profile(rc_, exact_, data_, train_idx_, meta_.t_min, sch_.t_max(),
                            static_cast<uint64_t>(cfg_.train.seed) + 99, opts_.device);
  if (opts_.dist.is_main()) atomic_write(path_join(opts_.dir, "profile.json"), profile_.to_json().dump(2) + "\n");
  if (rc_.t1.is_auto) {
    std::tie(meta_.t1, meta_.t2) = profile_.equal_mass_bounds();
    meta_.bounds = "auto: equal thirds of the exact mean |dalpha/dt| mass";
  }
  log::info("{}: intervals [{:.3g}, {:.3g}), [{:.3g}, {:.3g}), [{:.3g}, 1] ({})", who_, meta_.t_min, meta_.t1, meta_.t1,
            meta_.t2, meta_.t2, meta_.bounds);
}

torch::Tensor RouterTraining::stage_loss(const RouterOut& out, const torch::Tensor& c, const torch::Tensor& t,
                                         const PosteriorOut& ex, bool stage2, int j, StepReport& r) const {
  torch::Tensor loss = torch::zeros({}, out.logits.options());
  if (!stage2) {  // stage 2 refines each interval network against the exact targets only
    const torch::Tensor ce = torch::nll_loss(torch::log_softmax(out.logits, 1), c);
    loss = loss + ce;
    r.extra["cross_entropy"] = ce.item<double>();
  }
  if (rc_.mse_weight > 0) {
    const torch::Tensor mse = (torch::softmax(out.logits, 1) - ex.alpha.to(out.logits.scalar_type())).pow(2).mean();
    loss = loss + rc_.mse_weight * mse;
    r.extra[stage2 ? format("alpha_mse_{}", j) : std::string("alpha_mse")] = mse.item<double>();
  }
  if (da_ && rc_.deriv_weight > 0) {  // on from stage 1: the derivative head sees every t from the start
    const torch::Tensor d = derivative_loss(out, ex, t, rc_.deriv_loss, profile_);
    loss = loss + rc_.deriv_weight * d;
    r.extra[stage2 ? format("dalpha_loss_{}", j) : std::string("dalpha_loss")] = d.item<double>();
  }
  return loss;
}

torch::Tensor RouterTraining::sobolev_loss(RouterNet& net, const torch::Tensor& xt, const torch::Tensor& c,
                                           const torch::Tensor& t, const PosteriorOut& ex, StepReport& r) const {
  const torch::Tensor v = velocity_from_denoised(sch_, xt, ex.denoised.to(xt.scalar_type()), t);
  // In float32 even under train.bf16: a difference over a log-SNR step of 1e-3 is below bf16's
  // resolution (the time embedding's fastest frequency, 1000 per unit t, needs steps that small).
  torch::Tensor logits;
  const DirectionalDifference d = sobolev_derivative(net, sch_, xt, t, v, rc_.sobolev_step, &logits);
  RouterOut out;
  out.logits = logits;
  torch::Tensor loss = stage_loss(out, c, t, ex, false, 0, r);
  const torch::Tensor rate = log_snr_rate(sch_, t.to(torch::kFloat64)).to(torch::kFloat32);
  const torch::Tensor sob = sobolev_error(d.derivative, ex.dalpha.to(torch::kFloat32), rate);
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
  // The global batch's examples, t and noise from the generator every rank shares; this rank's rows.
  const int64_t global = share_.global;
  const torch::Tensor idx = share_.take(train_idx_.index_select(0, stream_->next()));
  const torch::Tensor x0 = data_.batch(idx).to(opts_.device);
  const torch::Tensor c = clusters_.index_select(0, idx).to(opts_.device);
  const double lo = stage2 ? bounds[j].lo : meta_.t_min, hi = stage2 ? bounds[j].hi : sch_.t_max();
  torch::Tensor t = uniform_times(global, lo, hi, opts_.device);
  if (da_ && rc_.t_sampling == TimeSampling::kMass) {  // the second half of the batch where the posterior moves
    const int64_t half = global / 2;
    t = torch::cat({t.slice(0, 0, global - half), profile_.sample_times(half, lo, hi).to(t.options())});
  }
  t = share_.take(t);
  std::vector<int64_t> shape = x0.sizes().vec();
  shape[0] = global;
  const torch::Tensor eps = share_.take(torch::randn(shape, x0.options()));
  const torch::Tensor xt = as_column(sch_.alpha(t), x0.dim()) * x0 + as_column(sch_.sigma(t), x0.dim()) * eps;
  PosteriorOut ex;
  if (rc_.mse_weight > 0 || da_ || sobolev_) {
    torch::NoGradGuard no_grad;
    ex = exact_.compute(xt, t, da_ || sobolev_);
  }
  RouterNet& net = *nets_[j];
  net.train();
  StepReport r;
  torch::Tensor loss;
  if (sobolev_) {
    loss = sobolev_loss(net, xt, c, t, ex, r);
  } else {
    RouterOut out;
    {
      const AutocastScope autocast(bf16_, opts_.device);
      out = net.forward(xt, t).to_float();  // the loss and its targets in float32
    }
    loss = stage_loss(out, c, t, ex, stage2, j, r);
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
  ckpt.meta["data_position"] = stream_->state();
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
  stream_->restore(ckpt.meta.at("data_position"), ckpt.source);
  return have.step;
}

RouterRunResult RouterTraining::finish(LoopResult loop) {
  RouterRunResult res;
  res.loop = std::move(loop);
  Router router;
  router.meta = meta_;
  router.path = res.loop.checkpoint;
  // What loading the checkpoint gives: the EMA weights where there are some.
  for (size_t i = 0; i < nets_.size(); ++i)
    router.nets.push_back(ema_.empty() ? nets_[i] : std::static_pointer_cast<RouterNet>(ema_[i]->shadow_ptr()));
  for (auto& n : router.nets) n->eval();
  const RouterRunResult ev =
      evaluate_router(router, exact_, data_, clusters_, heldout_, rc_.eval_samples,
                      static_cast<uint64_t>(cfg_.train.seed) + 4242, opts_.device, rc_.sobolev_step);
  res.intervals = ev.intervals;
  res.integrated_tv = ev.integrated_tv;
  res.integrated_steps = ev.integrated_steps;
  res.difference_error = ev.difference_error;
  Json j = res.to_json();
  j["t1"] = meta_.t1;
  j["t2"] = meta_.t2;
  j["bounds"] = meta_.bounds;
  if (opts_.dist.is_main()) atomic_write(path_join(opts_.dir, "eval.json"), j.dump(2) + "\n");
  return res;
}

}  // namespace

RouterRunResult train_router(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest) {
  RouterTraining run(opts, data, manifest);
  LoopSpec loop = make_loop_spec(format("router {}", to_string(opts.cfg.router.kind)), opts.dir, run.train_config(),
                                 opts.restart, opts.progress, opts.after_step);
  loop.dist = opts.dist;
  loop.step = [&](int64_t step) { return run.step(step); };
  loop.save = [&](Checkpoint& ckpt, int64_t step) { run.save(ckpt, step); };
  loop.resume = [&](const Checkpoint& ckpt) { return run.resume(ckpt); };
  return run.finish(run_training_loop(loop));
}

}  // namespace ddm
