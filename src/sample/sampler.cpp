// Loading what sampling needs, and the batched generation loop (see sampler.h).
#include "sample/sampler.h"

#include <ATen/CPUGeneratorImpl.h>

#include "config/config.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "diffusion/solvers.h"
#include "dist/batch_split.h"
#include "models/checkpoint.h"
#include "models/network.h"
#include "models/speed_settings.h"
#include "run/alpha_sources.h"
#include "run/run_loading.h"
#include "sample/routed_ensemble.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/seed.h"
#include "util/timer.h"

namespace ddm {

std::string SamplingModel::describe() const {
  std::string s;
  if (exact_experts)
    s = format("{} exact experts", exact_experts->k());
  else if (experts.size() > 1)
    s = format("{} experts", experts.size());
  else
    s = experts[0].meta.shard == kAllShards ? std::string("baseline expert (all data)")
                                            : format("expert {} alone", experts[0].meta.shard);
  if (router) s += format(", {} router", to_string(router->meta.kind));
  if (exact) s += ", exact posterior";
  return s;
}

void check_compatible(const std::vector<Expert>& experts, const Router* router, int k) {
  const Expert& first = experts.front();
  for (size_t i = 0; i < experts.size(); ++i) {
    const Expert& e = experts[i];
    require(e.meta.schedule == first.meta.schedule, "{}: its schedule ({}) differs from {}'s ({})", e.path,
            e.meta.schedule.describe(), first.path, first.meta.schedule.describe());
    require(e.meta.sample_shape == first.meta.sample_shape, "{}: its samples have shape {}, {}'s have {}", e.path,
            torch::IntArrayRef(e.meta.sample_shape), first.path, torch::IntArrayRef(first.meta.sample_shape));
    if (e.meta.shard != kAllShards) {
      require(e.meta.k == k, "{}: an expert for K = {} shards, but the manifest has K = {}", e.path, e.meta.k, k);
      require(e.meta.shard == static_cast<int>(i), "{}: trained on shard {}, expected shard {}", e.path, e.meta.shard,
              i);
    }
  }
  if (!router) return;
  require(router->meta.k == k, "{}: a router for K = {}, but there are {} experts", router->path, router->meta.k, k);
  require(router->meta.sample_shape == first.meta.sample_shape,
          "{}: the router's samples have shape {}, the experts' {}", router->path,
          torch::IntArrayRef(router->meta.sample_shape), torch::IntArrayRef(first.meta.sample_shape));
  require(router->meta.schedule == first.meta.schedule, "{}: the router's schedule ({}) differs from the experts' ({})",
          router->path, router->meta.schedule.describe(), first.meta.schedule.describe());
}

namespace {

// sample.experts=exact: the shards' exact experts D_k over the training set (design.md section 3).
void use_exact_experts(SamplingModel& m, const DiffusionConfig& diffusion, const Dataset& data,
                       const ShardManifest& manifest, torch::Device device) {
  m.schedule = Schedule::from_config(diffusion);
  m.sample_shape = data.sample_shape();
  m.t_min = diffusion.t_min;
  m.exact_experts = std::make_shared<ExactPosterior>(make_exact_posterior(data, manifest, m.schedule, device));
}

// The K experts of the run's manifest (networks, or exact with sample.experts=exact) and what
// gives alpha at each step: the router its alpha source reads, or the exact posterior (oracle).
void load_ensemble(SamplingModel& m, const ModelSources& from, const SampleConfig& sc, bool single,
                   torch::Device device) {
  const bool exact_experts = sc.experts == ExpertSource::kExact;
  const ShardManifest manifest = load_run_manifest(from.run);
  m.priors = manifest.priors();
  const bool needs_alpha = !single && sc.rule != RoutingRule::kFixed;
  const bool oracle = needs_alpha && sc.alpha == AlphaSource::kOracle;
  std::optional<Dataset> data;
  if (exact_experts || oracle) {
    data = load_dataset(from.data, from.shard_method);
    manifest.check_matches(from.data, from.run.manifest());
  }
  if (exact_experts) {
    use_exact_experts(m, from.diffusion, *data, manifest, device);
    require(sc.expert < manifest.k, "sample.expert must lie in -1..{} (K - 1), got {}", manifest.k - 1, sc.expert);
  } else {
    for (int k = 0; k < manifest.k; ++k) m.experts.push_back(load_run_expert(from.run, k, device));
  }
  const Schedule& sch = exact_experts ? m.schedule : m.experts[0].meta.schedule;
  if (oracle)
    m.exact = exact_experts ? m.exact_experts
                            : std::make_shared<ExactPosterior>(make_exact_posterior(*data, manifest, sch, device));
  else if (needs_alpha)
    m.router = load_run_router(from.run, sc.alpha, device);
  if (!exact_experts)
    check_compatible(m.experts, m.router.get(), manifest.k);
  else if (m.router)
    require(m.router->meta.schedule == sch && m.router->meta.k == manifest.k,
            "{}: the router's schedule or K differs from the config's", m.router->path);
  require(sc.rule != RoutingRule::kTopK || sc.topk <= manifest.k, "sample.topk must lie in 1..{} (K), got {}",
          manifest.k, sc.topk);
}

}  // namespace

ModelSources model_sources(const Config& cfg) {
  return {RunLayout(cfg.run_dir()), cfg.data, cfg.diffusion, cfg.shards.method};
}

SamplingModel load_sampling_model(const ModelSources& from, const SampleConfig& sc, torch::Device device) {
  SamplingModel m;
  const bool single = sc.baseline || sc.expert >= 0;
  const bool exact_experts = sc.experts == ExpertSource::kExact;
  if (single && !exact_experts) {
    m.experts.push_back(load_run_expert(from.run, sc.baseline ? kAllShards : sc.expert, device));
    m.priors = {1.0};
  } else {
    load_ensemble(m, from, sc, single, device);
  }
  if (!exact_experts) {
    m.schedule = m.experts[0].meta.schedule;
    m.sample_shape = m.experts[0].meta.sample_shape;
    m.t_min = m.experts[0].meta.t_min;
  }
  prepare_for_device(m, sc, device);
  return m;
}

SamplingModel untrained_sampling_model(const Config& cfg, const std::vector<int64_t>& shape, int k,
                                       std::optional<RouterKind> router, torch::Device device) {
  SamplingModel m;
  m.schedule = Schedule::from_config(cfg.diffusion);
  m.sample_shape = shape;
  m.t_min = cfg.diffusion.t_min;
  m.priors.assign(static_cast<size_t>(k), 1.0 / k);
  torch::manual_seed(0);
  for (int i = 0; i < k; ++i) {
    Expert e;
    e.meta.shard = k == 1 ? kAllShards : i;
    e.meta.k = k;
    e.meta.sample_shape = shape;
    e.meta.schedule = m.schedule;
    e.meta.prediction = cfg.diffusion.prediction;
    e.net = make_network(cfg.model, shape);
    e.net->to(device);
    e.net->eval();
    m.experts.push_back(e);
  }
  if (!router) return m;
  auto r = std::make_shared<Router>();
  r->meta.kind = *router;
  r->meta.k = k;
  r->meta.priors = m.priors;
  r->meta.sample_shape = shape;
  r->meta.schedule = m.schedule;
  const RouterArch arch = router_arch(cfg.model, cfg.router, cfg.diffusion);
  for (int i = 0; i < r->meta.networks(); ++i) {
    auto net = std::make_shared<RouterNet>(arch, shape, k, r->meta.has_derivative());
    net->randomize_heads(1.0);
    net->to(device);
    net->eval();
    r->nets.push_back(net);
  }
  m.router = r;
  return m;
}

namespace {
// NHWC weights and inputs: on CUDA, and on a CPU in bf16, where channels-last convolutions are
// 2-10x faster than NCHW ones (docs/results/bf16.md); fp32 on a CPU measured slower in NHWC (6.2 vs
// 6.6 images/s at batch 256).
bool uses_channels_last(const SamplingModel& model, const SampleConfig& sc, torch::Device device) {
  const bool fast = device.is_cuda() || use_bf16(sc.bf16, device, "sample.bf16");
  return fast && sc.channels_last && model.sample_shape.size() == 3;
}

void for_each_net(SamplingModel& model, const std::function<void(torch::nn::Module&)>& f) {
  for (auto& e : model.experts) f(*e.net);
  if (model.router)
    for (const auto& net : model.router->nets) f(*net);
}
}  // namespace

void prepare_for_device(SamplingModel& model, const SampleConfig& sc, torch::Device device) {
  const bool nhwc = uses_channels_last(model, sc, device);
  if (device.is_cuda() && nhwc) for_each_net(model, [](torch::nn::Module& net) { to_channels_last(net); });
  // On a CPU, autocast's cast of every weight on every call cost more than small convolutions.
  if (device.is_cpu() && use_bf16(sc.bf16, device, "sample.bf16"))
    for_each_net(model, [nhwc](torch::nn::Module& net) { keep_bf16_copies(net, nhwc); });
}

std::vector<DenoiseFn> expert_denoisers(const SamplingModel& model, const SampleConfig& sc) {
  std::vector<DenoiseFn> out;
  for (const auto& e : model.experts) out.push_back(e.denoiser());
  if (!model.exact_experts) return out;
  const auto ex = model.exact_experts;
  if (sc.baseline) return {[ex](const torch::Tensor& x, double t) { return ex->denoise(x, t); }};
  for (int k = 0; k < ex->k(); ++k)
    if (sc.expert < 0 || sc.expert == k)
      out.push_back([ex, k](const torch::Tensor& x, double t) { return ex->denoise_k(x, t, k); });
  return out;
}

namespace {

// Under data parallelism: every rank's routing statistics and evaluation counts, summed, on every
// rank. Rank 0 always sampled batch 0, so its steps (t, has_alpha) are the reference.
void combine_over_ranks(const Dist& dist, std::vector<StepRouting>& stats, int64_t& evaluations, size_t k) {
  if (!dist.active()) return;
  const int64_t n = dist.broadcast_value(static_cast<int64_t>(stats.size()));
  stats.resize(static_cast<size_t>(n));
  const int64_t width = 3 + static_cast<int64_t>(k);
  torch::Tensor sums = torch::zeros({n + 1, width}, torch::kFloat64), steps = torch::zeros({n + 1, 2}, torch::kFloat64);
  auto a = sums.accessor<double, 2>();
  auto m = steps.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    StepRouting& s = stats[static_cast<size_t>(i)];
    s.counts.resize(k, 0);
    a[i][0] = s.entropy_sum, a[i][1] = static_cast<double>(s.changes), a[i][2] = static_cast<double>(s.samples);
    for (size_t j = 0; j < k; ++j) a[i][3 + static_cast<int64_t>(j)] = static_cast<double>(s.counts[j]);
    m[i][0] = s.t, m[i][1] = s.has_alpha ? 1 : 0;
  }
  a[n][0] = static_cast<double>(evaluations);
  std::vector<torch::Tensor> sum{sums}, ref{steps};
  dist.all_reduce(sum, ReduceOp::kSum);
  dist.broadcast(ref, 0);
  for (int64_t i = 0; i < n; ++i) {
    StepRouting& s = stats[static_cast<size_t>(i)];
    s.step = static_cast<int>(i), s.t = m[i][0], s.has_alpha = m[i][1] != 0;
    s.entropy_sum = a[i][0], s.changes = static_cast<int64_t>(a[i][1]), s.samples = static_cast<int64_t>(a[i][2]);
    for (size_t j = 0; j < k; ++j) s.counts[j] = static_cast<int64_t>(a[i][3 + static_cast<int64_t>(j)]);
  }
  evaluations = static_cast<int64_t>(a[n][0]);
}

}  // namespace

SampleResult generate_samples(const SamplingModel& model, const SampleConfig& sc, torch::Device device, bool progress,
                              const std::function<void(int64_t, const torch::Tensor&)>& on_batch, const Dist& dist,
                              const InitialNoise* noise) {
  torch::NoGradGuard no_grad;
  // bf16 networks where sample.bf16 says so (each expert casts its D, the router its outputs,
  // back to float32, so the solver and MoG-da's integration stay in float32; the exact
  // posterior turns autocast off inside) and NHWC inputs to match prepare_for_device's weights.
  const AutocastScope autocast(use_bf16(sc.bf16, device, "sample.bf16"), device);
  const bool nhwc = uses_channels_last(model, sc, device);
  const auto grid = time_grid(model.schedule, sc.steps, sc.spacing, model.t_min);
  const SolverSettings solver = solver_settings(sc.solver, sc.clip_x0, model.sample_shape.size() == 3);
  const std::vector<DenoiseFn> experts = expert_denoisers(model, sc);
  std::shared_ptr<AlphaProvider> alpha;
  if (model.router || model.exact) alpha = make_alpha_provider(sc.alpha, model.router, model.exact, sc.correction);
  const bool single = experts.size() == 1 && !alpha;
  std::unique_ptr<RoutedEnsemble> ensemble;
  if (!single)
    ensemble = std::make_unique<RoutedEnsemble>(experts, alpha, sc.rule, sc.topk, model.priors,
                                                static_cast<uint64_t>(sc.seed) + 1);
  SampleResult res;
  // One expert: its evaluations counted as they happen (a routed ensemble counts its own).
  const StepDenoiseFn denoise =
      single ? StepDenoiseFn([&res, d = experts[0]](const torch::Tensor& x, double t, const StepPoint&) {
        res.evaluations += x.size(0);
        return d(x, t);
      })
             : ensemble->as_denoiser();
  std::optional<InitialNoise> own_noise;
  if (!noise) noise = &own_noise.emplace(sc, model.sample_shape);
  // Batch i: its noise from (seed, i) or the noise file's rows, its routing draws from
  // (seed + 1, i), whoever samples it.
  auto sample_batch = [&](int64_t i, int64_t first, int64_t b) {
    torch::Tensor x = noise->batch(i, first, b).to(device);
    if (nhwc) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    if (ensemble) ensemble->begin(b, device, i);
    return solve_ode(model.schedule, denoise, x, grid, solver);
  };
  std::unique_ptr<ProgressBar> bar;
  if (progress && dist.is_main()) bar = std::make_unique<ProgressBar>("sample", sc.num, "img");
  std::vector<torch::Tensor> parts;
  Stopwatch clock;
  split_batches(dist, sc.num, sc.batch_size, sample_batch, [&](int64_t first, const torch::Tensor& x) {
    if (on_batch && dist.is_main()) on_batch(first, x);
    parts.push_back(x);
    if (bar) bar->update(first + x.size(0));
  });
  if (bar) bar->finish();
  res.seconds = clock.seconds();
  res.samples = torch::cat(parts);
  if (ensemble) {
    res.routing = ensemble->stats();
    res.evaluations = ensemble->evaluations();
  }
  combine_over_ranks(dist, res.routing, res.evaluations, experts.size());
  return res;
}

}  // namespace ddm
