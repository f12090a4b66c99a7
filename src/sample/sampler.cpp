// Loading what sampling needs, and the batched generation loop (see sampler.h).
#include "sample/sampler.h"

#include <ATen/CPUGeneratorImpl.h>

#include "config/config.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "diffusion/solvers.h"
#include "models/checkpoint.h"
#include "models/cuda_speed.h"
#include "models/network.h"
#include "sample/routed_ensemble.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/timer.h"

namespace ddm {
namespace {

std::string latest_in(const std::string& dir, const std::string& what) {
  const std::string p = CheckpointDir(dir, 1).latest();
  if (p.empty()) fail("no {} checkpoint in {} (train it first)", what, dir);
  return p;
}

}  // namespace

std::string SamplingModel::describe() const {
  std::string s;
  if (exact_experts) s = format("{} exact experts", exact_experts->k());
  else if (experts.size() > 1) s = format("{} experts", experts.size());
  else s = experts[0].meta.shard == kAllShards ? std::string("baseline expert (all data)") : format("expert {} alone", experts[0].meta.shard);
  if (router) s += format(", {} router", to_string(router->meta.kind));
  if (exact) s += ", exact posterior";
  return s;
}

void check_compatible(const std::vector<Expert>& experts, const Router* router, int k) {
  const Expert& first = experts.front();
  for (size_t i = 0; i < experts.size(); ++i) {
    const Expert& e = experts[i];
    require(e.meta.schedule == first.meta.schedule, "{}: its schedule ({}) differs from {}'s ({})", e.path, e.meta.schedule.describe(),
            first.path, first.meta.schedule.describe());
    require(e.meta.sample_shape == first.meta.sample_shape, "{}: its samples have shape {}, {}'s have {}", e.path,
            torch::IntArrayRef(e.meta.sample_shape), first.path, torch::IntArrayRef(first.meta.sample_shape));
    if (e.meta.shard != kAllShards) {
      require(e.meta.k == k, "{}: an expert for K = {} shards, but the manifest has K = {}", e.path, e.meta.k, k);
      require(e.meta.shard == static_cast<int>(i), "{}: trained on shard {}, expected shard {}", e.path, e.meta.shard, i);
    }
  }
  if (!router) return;
  require(router->meta.k == k, "{}: a router for K = {}, but there are {} experts", router->path, router->meta.k, k);
  require(router->meta.sample_shape == first.meta.sample_shape, "{}: the router's samples have shape {}, the experts' {}",
          router->path, torch::IntArrayRef(router->meta.sample_shape), torch::IntArrayRef(first.meta.sample_shape));
  require(router->meta.schedule == first.meta.schedule, "{}: the router's schedule ({}) differs from the experts' ({})", router->path,
          router->meta.schedule.describe(), first.meta.schedule.describe());
}

namespace {

// The router that sample.alpha reads: MoG-a for `router`, MoG-da (logit head) for `integrated`
// and `integrated-corrected`, MoG-da with a raw head for `integrated-raw`.
std::shared_ptr<const Router> load_run_router(const Config& cfg, torch::Device device) {
  RouterConfig rc = cfg.router;
  rc.kind = cfg.sample.alpha == AlphaSource::kRouter ? RouterKind::kMogA : RouterKind::kMogDa;
  rc.derivative = cfg.sample.alpha == AlphaSource::kIntegratedRaw ? DerivativeHead::kRaw : DerivativeHead::kLogit;
  const std::string folder = router_folder(rc);
  return std::make_shared<Router>(load_router(latest_in(path_join(cfg.run_dir(), folder), folder), device));
}

// sample.experts=exact: the shards' exact experts D_k over the training set (design.md section 3).
void use_exact_experts(SamplingModel& m, const Config& cfg, const Dataset& data, const ShardManifest& manifest, torch::Device device) {
  m.schedule = Schedule::from_config(cfg.diffusion);
  m.sample_shape = data.sample_shape();
  m.t_min = cfg.diffusion.t_min;
  m.exact_experts = std::make_shared<ExactPosterior>(make_exact_posterior(data, manifest, m.schedule, device));
}

}  // namespace

SamplingModel load_sampling_model(const Config& cfg, torch::Device device) {
  const SampleConfig& sc = cfg.sample;
  SamplingModel m;
  const std::string run = cfg.run_dir();
  const bool single = sc.baseline || sc.expert >= 0;
  const bool exact_experts = sc.experts == ExpertSource::kExact;
  if (single && !exact_experts) {
    m.experts.push_back(sc.baseline ? load_expert(latest_in(path_join(run, "expert-all"), "baseline (--shard all)"), device)
                                    : load_expert(latest_in(path_join(run, format("expert-{}", sc.expert)), format("expert {}", sc.expert)), device));
    m.priors = {1.0};
  } else {
    const std::string manifest_file = manifest_path(cfg);
    if (!path_exists(manifest_file)) fail("{} not found: run `ddm prepare` and train the experts first", manifest_file);
    const ShardManifest manifest = ShardManifest::load(manifest_file);
    m.priors = manifest.priors();
    const bool needs_alpha = !single && sc.rule != RoutingRule::kFixed;
    std::optional<Dataset> data;
    if (exact_experts || (needs_alpha && sc.alpha == AlphaSource::kOracle)) {
      data = load_dataset(cfg.data);
      manifest.check_matches(cfg.data, manifest_file);
    }
    if (exact_experts) {
      use_exact_experts(m, cfg, *data, manifest, device);
      require(sc.expert < manifest.k, "sample.expert must lie in -1..{} (K - 1), got {}", manifest.k - 1, sc.expert);
    } else {
      for (int k = 0; k < manifest.k; ++k)
        m.experts.push_back(load_expert(latest_in(path_join(run, format("expert-{}", k)), format("expert {}", k)), device));
    }
    const Schedule& sch = exact_experts ? m.schedule : m.experts[0].meta.schedule;
    if (needs_alpha && sc.alpha == AlphaSource::kOracle)
      m.exact = exact_experts ? m.exact_experts : std::make_shared<ExactPosterior>(make_exact_posterior(*data, manifest, sch, device));
    else if (needs_alpha)
      m.router = load_run_router(cfg, device);
    if (!exact_experts) check_compatible(m.experts, m.router.get(), manifest.k);
    else if (m.router)
      require(m.router->meta.schedule == sch && m.router->meta.k == manifest.k, "{}: the router's schedule or K differs from the config's",
              m.router->path);
    require(sc.rule != RoutingRule::kTopK || sc.topk <= manifest.k, "sample.topk must lie in 1..{} (K), got {}", manifest.k, sc.topk);
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
  if (*router == RouterKind::kMogDa)
    r->meta.derivative = cfg.sample.alpha == AlphaSource::kIntegratedRaw ? DerivativeHead::kRaw : DerivativeHead::kLogit;
  const bool da = *router == RouterKind::kMogDa;
  for (int i = 0; i < (da ? 3 : 1); ++i) {
    auto net = std::make_shared<RouterNet>(cfg, shape, k, r->meta.derivative);
    net->randomize_heads(1.0);
    net->to(device);
    net->eval();
    r->nets.push_back(net);
  }
  m.router = r;
  return m;
}

namespace {
// NHWC weights and inputs: CUDA only (on this CPU channels-last measured slower, 6.2 vs 6.6
// images/s at batch 256).
bool uses_channels_last(const SamplingModel& model, const SampleConfig& sc, torch::Device device) {
  return device.is_cuda() && sc.channels_last && model.sample_shape.size() == 3;
}
}  // namespace

void prepare_for_device(SamplingModel& model, const SampleConfig& sc, torch::Device device) {
  if (!uses_channels_last(model, sc, device)) return;
  for (auto& e : model.experts) to_channels_last(*e.net);
  if (model.router)
    for (const auto& net : model.router->nets) to_channels_last(*net);
}

std::vector<DenoiseFn> expert_denoisers(const SamplingModel& model, const SampleConfig& sc) {
  std::vector<DenoiseFn> out;
  for (const auto& e : model.experts) out.push_back(e.denoiser(sc.clip_denoised));
  if (!model.exact_experts) return out;
  const auto ex = model.exact_experts;
  if (sc.baseline) return {[ex](const torch::Tensor& x, double t) { return ex->denoise(x, t); }};
  for (int k = 0; k < ex->k(); ++k)
    if (sc.expert < 0 || sc.expert == k) out.push_back([ex, k](const torch::Tensor& x, double t) { return ex->denoise_k(x, t, k); });
  return out;
}

SampleResult generate_samples(const SamplingModel& model, const SampleConfig& sc, torch::Device device, bool progress,
                              const std::function<void(int64_t, const torch::Tensor&)>& on_batch) {
  torch::NoGradGuard no_grad;
  // CUDA: bf16 networks (each expert casts its D back to float32, so the solver stays in
  // float32) and NHWC inputs to match prepare_for_device's weights.
  const AutocastScope autocast(device.is_cuda() && sc.bf16);
  const bool nhwc = uses_channels_last(model, sc, device);
  const auto grid = time_grid(model.schedule, sc.steps, sc.spacing, model.t_min);
  const std::vector<DenoiseFn> experts = expert_denoisers(model, sc);
  std::shared_ptr<AlphaProvider> alpha;
  if (model.router || model.exact) alpha = make_alpha_provider(sc.alpha, model.router, model.exact, sc.correction);
  const bool single = experts.size() == 1 && !alpha;
  std::unique_ptr<RoutedEnsemble> ensemble;
  if (!single)
    ensemble = std::make_unique<RoutedEnsemble>(experts, alpha, sc.rule, sc.topk, model.priors, static_cast<uint64_t>(sc.seed) + 1);
  const StepDenoiseFn denoise = single ? step_free(experts[0]) : ensemble->as_denoiser();

  at::Generator noise_gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(sc.seed));
  std::unique_ptr<ProgressBar> bar;
  if (progress) bar = std::make_unique<ProgressBar>("sample", sc.num, "img");
  SampleResult res;
  std::vector<torch::Tensor> parts;
  Stopwatch clock;
  for (int64_t first = 0; first < sc.num; first += sc.batch_size) {
    const int64_t b = std::min<int64_t>(sc.batch_size, sc.num - first);
    std::vector<int64_t> shape{b};
    shape.insert(shape.end(), model.sample_shape.begin(), model.sample_shape.end());
    torch::Tensor noise = torch::randn(shape, noise_gen, torch::kFloat32).to(device);
    if (nhwc) noise = noise.contiguous(torch::MemoryFormat::ChannelsLast);
    if (ensemble) ensemble->begin(b, device);
    const torch::Tensor x = solve_ode(model.schedule, denoise, noise, grid, sc.solver).cpu();
    if (single) res.evaluations += b * evaluations_per_sample(sc.solver, sc.steps);
    if (on_batch) on_batch(first, x);
    parts.push_back(x);
    if (bar) bar->update(first + b);
  }
  if (bar) bar->finish();
  res.seconds = clock.seconds();
  res.samples = torch::cat(parts);
  if (ensemble) {
    res.routing = ensemble->stats();
    res.evaluations = ensemble->evaluations();
  }
  return res;
}

}  // namespace ddm
