// Router training (see router_trainer.h; design.md section 4).
#include "router/router_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "diffusion/parameterization.h"
#include "diffusion/solvers.h"
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

torch::Tensor uniform_times(int64_t n, double lo, double hi, torch::Device device, at::Generator* gen = nullptr) {
  const torch::Tensor u = gen ? torch::rand({n}, *gen, torch::kFloat32) : torch::rand({n}, torch::kFloat32);
  return (u * (hi - lo) + lo).to(device);
}

}  // namespace

ExactPosterior make_exact_posterior(const Dataset& data, const ShardManifest& manifest, const Schedule& sch, torch::Device device) {
  return ExactPosterior(data.all(), manifest.assignment(), manifest.k, sch, data.is_image() ? torch::kFloat32 : torch::kFloat64,
                        device);
}

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
  j["integrated_alpha_mae"] = integrated_alpha_mae;
  return j;
}

RouterRunResult evaluate_router(const Router& router, const ExactPosterior& exact, const Dataset& data,
                                const torch::Tensor& clusters, const torch::Tensor& heldout, int samples, uint64_t seed,
                                torch::Device device) {
  torch::NoGradGuard no_grad;
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
    const PosteriorOut ex = exact.compute(xt, t, router.meta.kind == RouterKind::kMogDa);
    const auto& net = router.nets[router.meta.kind == RouterKind::kMogDa ? router.meta.interval((e.lo + e.hi) / 2) : 0];
    const RouterOut out = net->forward(xt, t);
    const torch::Tensor logp = torch::log_softmax(out.logits.to(torch::kFloat64), 1);
    e.cross_entropy = -logp.gather(1, c.unsqueeze(1)).mean().item<double>();
    e.alpha_mae = (logp.exp() - ex.alpha.to(torch::kFloat64)).abs().mean().item<double>();
    if (out.dalpha.defined()) e.dalpha_mae = (out.dalpha.to(torch::kFloat64) - ex.dalpha.to(torch::kFloat64)).abs().mean().item<double>();
    res.intervals.push_back(e);
  }
  if (router.meta.kind == RouterKind::kMogDa) {
    // Integrate alpha from the prior along exact PF-ODE paths (DDIM with the exact D), as the
    // sampler does, and compare with the exact alpha where the paths end.
    const int64_t paths = std::min<int64_t>(samples, 128);
    std::vector<int64_t> shape{paths};
    for (int64_t s : router.meta.sample_shape) shape.push_back(s);
    torch::Tensor x = torch::randn(shape, gen, torch::kFloat32).to(device);
    torch::Tensor a = router.prior(paths, device);
    const auto grid = time_grid(sch, 50, Spacing::kUniform, router.meta.t_min);
    for (size_t n = 0; n + 1 < grid.size(); ++n) {
      const torch::Tensor g = router.dalpha(x, grid[n]);
      x = ddim_step(sch, x, exact.denoise(x, grid[n]).to(torch::kFloat32), grid[n], grid[n + 1]);
      a = integrate_alpha_step(a, g, grid[n + 1] - grid[n]);
    }
    res.integrated_alpha_mae = (a.to(torch::kFloat64) - exact.alpha(x, grid.back()).to(torch::kFloat64)).abs().mean().item<double>();
  }
  return res;
}

RouterRunResult train_router(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest) {
  const Config& cfg = opts.cfg;
  const RouterConfig& rc = cfg.router;
  const bool da = rc.kind == RouterKind::kMogDa;
  const std::string who = format("router {}", to_string(rc.kind));
  const std::vector<int64_t> shape = data.sample_shape();
  const Schedule sch = Schedule::from_config(cfg.diffusion);
  const double t_min = cfg.diffusion.t_min, t_max = sch.t_max();

  RouterMeta meta;
  meta.kind = rc.kind;
  meta.k = manifest.k;
  meta.dataset = data.name;
  meta.sample_shape = shape;
  meta.priors = manifest.priors();
  meta.schedule = sch;
  meta.t_min = t_min;
  meta.t1 = rc.t1;
  meta.t2 = rc.t2;
  meta.architecture = router_architecture_json(cfg, shape, manifest.k);

  // Held-out examples: a fixed random share, never trained on.
  const torch::Tensor clusters = manifest.assignment();
  at::Generator split_gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(cfg.train.seed) + 777);
  const torch::Tensor perm = torch::randperm(data.size(), split_gen, torch::kInt64);
  const int64_t n_hold = std::max<int64_t>(1, static_cast<int64_t>(std::llround(rc.holdout * static_cast<double>(data.size()))));
  require(data.size() > n_hold, "{}: {} examples are too few to hold {} out", who, data.size(), n_hold);
  const torch::Tensor heldout = std::get<0>(perm.slice(0, 0, n_hold).sort());
  const torch::Tensor train_idx = std::get<0>(perm.slice(0, n_hold).sort());

  const ExactPosterior exact = make_exact_posterior(data, manifest, sch, opts.device);

  torch::manual_seed(cfg.train.seed);
  const int n_nets = da ? 3 : 1;
  std::vector<std::shared_ptr<RouterNet>> nets;
  for (int i = 0; i < n_nets; ++i) {
    nets.push_back(std::make_shared<RouterNet>(cfg, shape, manifest.k, da));
    nets.back()->to(opts.device);
  }
  for (int i = 1; i < n_nets; ++i) copy_parameters(*nets[0], *nets[i]);  // the same initial weights
  TrainConfig tc = cfg.train;
  tc.lr = rc.lr;
  tc.batch_size = rc.batch_size;
  tc.warmup = std::min<int64_t>(tc.warmup, std::max<int64_t>(1, rc.steps / 10));
  tc.steps = da ? rc.steps + 3 * rc.stage2_steps : rc.steps;
  tc.preview_every = 0;
  tc.max_minutes = rc.max_minutes;  // the router's own budget, not the experts'
  std::vector<std::unique_ptr<Adam>> optim;
  for (int i = 0; i < n_nets; ++i) optim.push_back(std::make_unique<Adam>(nets[i]->parameters(), tc));

  BatchStream stream(train_idx.size(0), tc.batch_size, static_cast<uint64_t>(cfg.train.seed));
  const auto bounds = intervals_of(meta, t_max);

  LoopSpec loop = make_loop_spec(who, opts.dir, tc, opts.restart, opts.progress, opts.after_step);
  loop.step = [&](int64_t step) {
    const bool stage2 = da && step >= rc.steps;
    if (da && step == rc.steps) {  // stage 2 starts: three copies of the stage-1 network, fresh optimisers
      for (int i = 1; i < 3; ++i) copy_parameters(*nets[0], *nets[i]);
      for (int i = 0; i < 3; ++i) optim[i] = std::make_unique<Adam>(nets[i]->parameters(), tc);
      log::info("{}: stage 1 done at step {}; stage 2 trains one network per time interval", who, step);
    }
    const int j = stage2 ? static_cast<int>((step - rc.steps) % 3) : 0;
    const int64_t stage_step = stage2 ? (step - rc.steps) / 3 : step;
    const torch::Tensor idx = train_idx.index_select(0, stream.next());
    const torch::Tensor x0 = data.batch(idx).to(opts.device);
    const torch::Tensor c = clusters.index_select(0, idx).to(opts.device);
    const double lo = stage2 ? bounds[j].lo : t_min, hi = stage2 ? bounds[j].hi : t_max;
    const torch::Tensor t = uniform_times(x0.size(0), lo, hi, opts.device);
    const torch::Tensor xt = as_column(sch.alpha(t), x0.dim()) * x0 + as_column(sch.sigma(t), x0.dim()) * torch::randn_like(x0);
    const bool need_exact = rc.mse_weight > 0 || stage2;
    PosteriorOut ex;
    if (need_exact) {
      torch::NoGradGuard no_grad;
      ex = exact.compute(xt, t, stage2);
    }
    RouterNet& net = *nets[j];
    net.train();
    const RouterOut out = net.forward(xt, t);
    StepReport r;
    torch::Tensor loss = torch::zeros({}, x0.options());
    if (!stage2) {
      const torch::Tensor ce = torch::nll_loss(torch::log_softmax(out.logits, 1), c);
      loss = loss + ce;
      r.extra["cross_entropy"] = ce.item<double>();
    }
    if (need_exact && rc.mse_weight > 0) {
      const torch::Tensor mse = (torch::softmax(out.logits, 1) - ex.alpha.to(torch::kFloat32)).pow(2).mean();
      loss = loss + rc.mse_weight * mse;
      r.extra["alpha_mse"] = mse.item<double>();
    }
    if (stage2) {
      const torch::Tensor dmse = (out.dalpha - ex.dalpha.to(torch::kFloat32)).pow(2).mean();
      loss = loss + rc.deriv_weight * dmse;
      r.extra[format("dalpha_mse_{}", j)] = dmse.item<double>();
    }
    optim[j]->zero_grad();
    loss.backward();
    const std::vector<torch::Tensor> params = net.parameters();
    const double gn = clip_grad_norm(params, tc.grad_clip);
    r.loss = loss.item<double>();
    if (!std::isfinite(gn)) r.loss = gn;
    if (std::isfinite(r.loss)) optim[j]->step(learning_rate(tc, stage_step));
    return r;
  };
  loop.save = [&](Checkpoint& ckpt, int64_t step) {
    meta.step = step;
    ckpt.meta["router"] = meta.to_json();
    ckpt.meta["config"] = config_to_json(cfg);
    ckpt.meta["data_position"] = stream.state();
    for (int i = 0; i < n_nets; ++i) {
      ckpt.put_module(format("net{}.", i), *nets[i]);
      optim[i]->save(ckpt, format("opt{}.", i));
    }
  };
  loop.resume = [&](const Checkpoint& ckpt) {
    const RouterMeta have = RouterMeta::from_json(ckpt.meta.at("router"), ckpt.source);
    if (have.architecture.dump() != meta.architecture.dump() || have.kind != meta.kind || have.k != meta.k)
      fail("{}: cannot resume: it is a {} router with K = {} and architecture {}, the config asks for {} with K = {} and {} "
           "(use another run.dir, or --restart)",
           ckpt.source, to_string(have.kind), have.k, have.architecture.dump(), to_string(meta.kind), meta.k,
           meta.architecture.dump());
    for (int i = 0; i < n_nets; ++i) {
      ckpt.load_module(format("net{}.", i), *nets[i]);
      optim[i]->load(ckpt, format("opt{}.", i));
    }
    stream.restore(ckpt.meta.at("data_position"), ckpt.source);
    return have.step;
  };
  log::info("{}: K = {}, {} training / {} held-out examples, {} network(s), exact targets over {} points", who, manifest.k,
            train_idx.size(0), n_hold, n_nets, exact.size());

  RouterRunResult res;
  res.loop = run_training_loop(loop);
  Router router;
  router.meta = meta;
  router.path = res.loop.checkpoint;
  router.nets = nets;
  for (auto& n : nets) n->eval();
  const RouterRunResult ev = evaluate_router(router, exact, data, clusters, heldout, rc.eval_samples,
                                             static_cast<uint64_t>(cfg.train.seed) + 4242, opts.device);
  res.intervals = ev.intervals;
  res.integrated_alpha_mae = ev.integrated_alpha_mae;
  atomic_write(path_join(opts.dir, "eval.json"), res.to_json().dump(2) + "\n");
  return res;
}

}  // namespace ddm
