// `ddm bench train`: times the expert training step (forward, backward, Adam, EMA) on real
// batches of the configured data and prints one JSON line. Speed targets live here, never in
// tests.
#include <torch/cuda.h>
#include <torch/utils.h>

#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "cli/op_profile.h"
#include "data/dataset.h"
#include "models/network.h"
#include "models/speed_settings.h"
#include "router/router.h"
#include "run/alpha_sources.h"
#include "sample/sampler.h"
#include "train/batch_stream.h"
#include "train/expert_step.h"
#include "util/cpu_features.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sysinfo.h"
#include "util/timer.h"

namespace ddm::cli {
namespace {

void synchronize(torch::Device d) {
  if (d.is_cuda()) torch::cuda::synchronize();
}

// What every row records about the run and the host: the CPU's model and bf16 flags,
// threads, and the precision the networks ran in.
Json bench_row(const char* bench, const std::string& config_name, torch::Device device, bool bf16) {
  Json row = Json::object();
  row["bench"] = bench;
  row["config"] = config_name;
  row["device"] = device.is_cuda() ? "cuda" : "cpu";
  row["cpu"] = cpu_features().model;
  row["cpu_flags"] = cpu_features().flags;
  row["threads"] = torch::get_num_threads();
  row["precision"] = bf16 ? "bf16" : "fp32";
  return row;
}

// The `n` operators with the most self time; the profiler's own cost inflates the row's timing.
Json top_ops(OpProfile& profile, int n) {
  Json all = profile.table(), top = Json::array();
  for (size_t i = 0; i < all.size() && static_cast<int>(i) < n; ++i) top.push_back(all[i]);
  return top;
}

int bench_train(const Args& args) {
  const Config cfg = args.config();
  const torch::Device device = resolve_device(cfg.run.device);
  if (cfg.run.threads > 0) torch::set_num_threads(cfg.run.threads);
  const int warmup = args.get<int>("warmup"), iters = args.has("iters") ? args.get<int>("iters") : 10;
  require(iters >= 1 && warmup >= 0, "bench: --iters must be >= 1 and --warmup >= 0");
  const Dataset data = load_dataset(cfg.data);
  ExpertStep es(cfg.model, cfg.diffusion, cfg.train, data.sample_shape(), device);
  BatchStream stream(data.size(), cfg.train.batch_size, 0);
  std::vector<torch::Tensor> batches;
  for (int i = 0; i < std::min(iters + warmup, 8); ++i) batches.push_back(data.batch(stream.next()).to(device));
  for (int i = 0; i < warmup; ++i) es.step(batches[i % batches.size()], i).loss.item<double>();
  synchronize(device);
  Stopwatch clock;
  for (int i = 0; i < iters; ++i) es.step(batches[i % batches.size()], warmup + i);
  synchronize(device);
  const double secs = clock.seconds();
  Json row = bench_row("train", cfg.name, device, use_bf16(cfg.train.bf16, device, "train.bf16"));
  row["params"] = parameter_count(*es.net);
  row["batch"] = cfg.train.batch_size;
  row["iters"] = iters;
  row["step_ms"] = 1000.0 * secs / iters;
  row["images_per_s"] = static_cast<double>(iters) * cfg.train.batch_size / secs;
  row["peak_memory_mb"] = static_cast<double>(peak_rss_bytes()) / (1 << 20);
  std::cout << row.dump() << "\n";
  return 0;
}

// Sampling speed with freshly initialised networks (untrained_sampling_model): K experts and,
// for rules that need alpha, a MoG-a (or, for the integrated sources, MoG-da) router; or one
// expert alone (`--single`, the baseline's cost).
int bench_sample(const Args& args) {
  Config cfg = args.config();
  const torch::Device device = resolve_device(cfg.run.device);
  if (cfg.run.threads > 0) torch::set_num_threads(cfg.run.threads);
  // Defaults sized to finish within a minute on 2 CPU cores, even for the default 35M-parameter
  // U-Net with K = 10 and a router: one batch of 16 at N = 10.
  const int iters = args.has("iters") ? args.get<int>("iters") : 1;
  require(iters >= 1, "bench: --iters must be >= 1");
  apply_override(cfg, format("sample.batch_size={}", args.get<int>("batch")));
  apply_override(cfg, format("sample.steps={}", args.get<int>("steps")));
  const bool single = args.has("single");
  const int k = single ? 1 : cfg.shards.k;
  std::vector<int64_t> shape;
  if (args.has("shape")) {  // no data needed (e.g. the CIFAR-10 network without CIFAR-10 on disk)
    for (const std::string& d : split(args.get<std::string>("shape"), ',')) {
      size_t used = 0;
      int64_t v = 0;
      try {
        v = std::stoll(d, &used);
      } catch (const std::exception&) {
      }
      if (used != d.size() || v < 1)
        throw UsageError(format("bench: --shape {}: expected positive integers C,H,W", args.get<std::string>("shape")));
      shape.push_back(v);
    }
    require(shape.size() == 3 || shape.size() == 1, "bench: --shape must be C,H,W (images) or D (points)");
  } else if (cfg.data.dataset == DatasetKind::kToy2d) {
    shape = {2};
  } else {
    shape = load_dataset(cfg.data).sample_shape();
  }
  std::optional<RouterKind> router;
  if (!single && cfg.sample.rule != RoutingRule::kFixed)
    router = alpha_source_spec(cfg.sample.alpha).router.value_or(RouterKind::kMogA);
  else if (!single)
    cfg.sample.alpha = AlphaSource::kRouter;
  SamplingModel model = untrained_sampling_model(cfg, shape, k, router, device);
  prepare_for_device(model, cfg.sample, device);
  SampleConfig sc = cfg.sample;
  log::info("bench sample: {} batch(es) of {} at N = {} ({} solver), {}, untrained networks on {}", iters,
            sc.batch_size, sc.steps, to_string(sc.solver),
            single ? std::string("one expert") : format("{} experts, rule {}", k, to_string(sc.rule)),
            device.is_cuda() ? "CUDA" : "the CPU");
  // One warm-up batch: full size on CUDA (cuDNN tunes per shape), a small two-step one on a CPU, where
  // it only needs to touch the allocator and the thread pool.
  SampleConfig warm = sc;
  warm.batch_size = device.is_cuda() ? sc.batch_size : std::min(sc.batch_size, 16);
  warm.num = warm.batch_size;
  if (!device.is_cuda()) warm.steps = std::min(warm.steps, 2);
  generate_samples(model, warm, device, false);
  synchronize(device);
  sc.num = static_cast<int64_t>(sc.batch_size) * iters;
  std::optional<OpProfile> profile;
  if (args.has("profile")) profile.emplace();
  const SampleResult r = generate_samples(model, sc, device, false);
  synchronize(device);
  Json row = bench_row("sample", cfg.name, device, use_bf16(sc.bf16, device, "sample.bf16"));
  row["experts"] = k;
  row["params"] = parameter_count(*model.experts[0].net);
  row["router_params"] = model.router ? parameter_count(*model.router->nets[0]) : 0;
  row["rule"] = single ? std::string("single") : to_string(sc.rule);
  row["alpha"] = single || sc.rule == RoutingRule::kFixed ? std::string("-") : to_string(sc.alpha);
  row["steps"] = sc.steps;
  row["batch"] = sc.batch_size;
  row["samples"] = sc.num;
  row["images_per_s"] = static_cast<double>(sc.num) / r.seconds;
  row["nfe"] = r.nfe(sc.num);
  row["evaluations_per_sample_step"] = r.evaluations_per_step(sc.num, sc.steps);
  row["peak_memory_mb"] = static_cast<double>(peak_rss_bytes()) / (1 << 20);
  if (profile) row["ops"] = top_ops(*profile, args.get<int>("profile"));
  std::cout << row.dump() << "\n";
  return 0;
}

}  // namespace

int cmd_bench(const std::vector<std::string>& argv) {
  Args args("bench",
            "Benchmarks printing one JSON line: `ddm bench train` (the expert training step), `ddm bench sample` "
            "(sampling with sample.rule and sample.solver: --iters batches of --batch samples at --steps N).",
            true, "WHAT");
  args.add()("iters", "timed iterations (train: steps, default 10; sample: batches, default 1)", cxxopts::value<int>())(
      "batch", "sample: samples per batch (default 16; sample.batch_size is the sampling command's)",
      cxxopts::value<int>()->default_value("16"))("steps", "sample: N steps per sample (default 10)",
                                                  cxxopts::value<int>()->default_value("10"))(
      "warmup", "untimed iterations first (train)", cxxopts::value<int>()->default_value("2"))(
      "single", "sample: one expert alone, no routing (the baseline's cost)")(
      "shape", "sample: sample shape C,H,W instead of the data set's", cxxopts::value<std::string>())(
      "profile", "sample: add the N operators with the most self time (`ops`; the profiler slows the row)",
      cxxopts::value<int>()->implicit_value("15"));
  if (!args.parse(argv)) return 0;
  const auto pos = args.positional();
  if (pos.size() != 1) throw UsageError("bench: say what to benchmark: ddm bench train|sample");
  if (pos[0] == "train") return bench_train(args);
  if (pos[0] == "sample") return bench_sample(args);
  throw UsageError(format("bench: unknown benchmark '{}' (valid: train, sample)", pos[0]));
}

}  // namespace ddm::cli
