// `ddm sample` without the command line: loads the experts, router or exact posterior that the
// config asks for (checking they belong together before any work), then generates samples in
// batches with the configured solver, grid and routing rule.
#pragma once
#include <torch/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config_fwd.h"
#include "config/data_config.h"
#include "config/diffusion_config.h"
#include "config/sample_config.h"
#include "diffusion/solvers.h"
#include "dist/process_group.h"
#include "models/expert.h"
#include "router/exact_posterior.h"
#include "router/router.h"
#include "run/layout.h"
#include "sample/initial_noise.h"
#include "sample/routed_ensemble.h"

namespace ddm {

struct SamplingModel {
  std::vector<Expert> experts;  // K experts by shard, or the single baseline expert
  std::shared_ptr<const Router> router;
  std::shared_ptr<const ExactPosterior> exact;
  // Exact experts D_k from the exact posterior instead of networks (sample.experts=exact, tests,
  // `ddm theory`); `experts` is then empty.
  std::shared_ptr<const ExactPosterior> exact_experts;
  std::vector<double> priors;
  Schedule schedule;
  std::vector<int64_t> sample_shape;
  double t_min = 1e-3;
  std::string describe() const;
};

// Where a sampling model comes from: the run folder, and the data set and schedule that the exact
// experts and the exact posterior (the oracle) are built from.
struct ModelSources {
  RunLayout run;
  DataConfig data;
  DiffusionConfig diffusion;
  ShardMethod shard_method = ShardMethod::kLabel;  // how the data set is read (shards.method=folders)
};
ModelSources model_sources(const Config& cfg);

// What `sc` asks for: experts from <run>/expert-<k>/ (or expert-all with sample.baseline) or the
// exact experts, the router its alpha source reads, the exact posterior for the oracle.
SamplingModel load_sampling_model(const ModelSources& from, const SampleConfig& sc, torch::Device device);
// Freshly initialised networks of the configured architecture on `device` (speed does not depend
// on the weights; benchmarks and tests): K experts with uniform priors and, when `router` is
// given, a router of that kind whose heads are random, so that batches spread over the experts as
// a trained router's do (a zero-initialised head would send every row to expert 0 under top1).
SamplingModel untrained_sampling_model(const Config& cfg, const std::vector<int64_t>& sample_shape, int k,
                                       std::optional<RouterKind> router, torch::Device device);
// Readies a model that will only sample: with sample.channels_last on CUDA, the experts' and
// router's weights in channels-last (NHWC); with sample.bf16 on a CPU, bf16 copies of their
// weights (NHWC for convolutions with sample.channels_last), which generate_samples' autocast
// then uses. Sampling works without it, only slower.
void prepare_for_device(SamplingModel& model, const SampleConfig& sc, torch::Device device);
// Checks that experts (and router) share schedule, sample shape and K; fails naming the file.
void check_compatible(const std::vector<Expert>& experts, const Router* router, int k);

// The experts as denoisers (raw D; the solver clips): the trained networks, or the exact ones (all K; with
// sample.baseline the exact D of all data; with sample.expert only that one).
std::vector<DenoiseFn> expert_denoisers(const SamplingModel& model, const SampleConfig& sc);

struct SampleResult {
  torch::Tensor samples;             // [N, ...] the solver's x at t = 0, model space, on the CPU
  std::vector<StepRouting> routing;  // per-step routing statistics (empty for the baseline)
  int64_t evaluations = 0;           // network evaluations, all samples
  double seconds = 0;
  // Network evaluations per sample (NFE; N for first-order solvers, 2N - 1 for Heun, times the
  // experts a rule runs per step), and per sample and step.
  double nfe(int64_t num) const {
    return static_cast<double>(evaluations) / static_cast<double>(std::max<int64_t>(num, 1));
  }
  double evaluations_per_step(int64_t num, int steps) const { return nfe(num) / std::max(steps, 1); }
};

// Generates cfg.sample.num samples, cfg.sample.batch_size at a time. Batch i's initial noise and
// routing draws come from generators seeded by (sample.seed, i), so the samples do not depend on
// how batches are split. Under data parallelism the ranks share the batches (rank r takes r,
// r + W, ...) and every rank returns all samples and the summed routing statistics, the same as
// one process. `on_batch(first, x)` sees each finished batch in order on rank 0 (to stream it to
// disk). `noise`: the run's initial noise, read once by the caller; null: made from sc here.
SampleResult generate_samples(const SamplingModel& model, const SampleConfig& sc, torch::Device device, bool progress,
                              const std::function<void(int64_t first, const torch::Tensor& x)>& on_batch = nullptr,
                              const Dist& dist = {}, const InitialNoise* noise = nullptr);

}  // namespace ddm
