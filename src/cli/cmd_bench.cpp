// `ddm bench train`: times the expert training step (forward, backward, Adam, EMA) on real
// batches of the configured data and prints one JSON line. Speed targets live here, never in
// tests.
#include <torch/cuda.h>
#include <torch/utils.h>

#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "models/network.h"
#include "train/batch_stream.h"
#include "train/expert.h"
#include "util/error.h"
#include "util/sysinfo.h"
#include "util/timer.h"

namespace ddm::cli {
namespace {

void synchronize(torch::Device d) {
  if (d.is_cuda()) torch::cuda::synchronize();
}

int bench_train(const Args& args) {
  const Config cfg = args.config();
  const torch::Device device = resolve_device(cfg.run.device);
  if (cfg.run.threads > 0) torch::set_num_threads(cfg.run.threads);
  const int warmup = args.get<int>("warmup"), iters = args.get<int>("iters");
  require(iters >= 1 && warmup >= 0, "bench: --iters must be >= 1 and --warmup >= 0");
  const Dataset data = load_dataset(cfg.data);
  ExpertStep es(cfg, data.sample_shape(), device);
  BatchStream stream(data.size(), cfg.train.batch_size, 0);
  std::vector<torch::Tensor> batches;
  for (int i = 0; i < std::min(iters + warmup, 8); ++i) batches.push_back(data.batch(stream.next()).to(device));
  for (int i = 0; i < warmup; ++i) es.step(batches[i % batches.size()], i).loss.item<double>();
  synchronize(device);
  Stopwatch clock;
  for (int i = 0; i < iters; ++i) es.step(batches[i % batches.size()], warmup + i);
  synchronize(device);
  const double secs = clock.seconds();
  Json row = Json::object();
  row["bench"] = "train";
  row["config"] = cfg.name;
  row["device"] = device.is_cuda() ? "cuda" : "cpu";
  row["cpu"] = cpu_model();
  row["threads"] = torch::get_num_threads();
  row["params"] = parameter_count(*es.net);
  row["batch"] = cfg.train.batch_size;
  row["iters"] = iters;
  row["step_ms"] = 1000.0 * secs / iters;
  row["images_per_s"] = static_cast<double>(iters) * cfg.train.batch_size / secs;
  row["peak_memory_mb"] = static_cast<double>(peak_rss_bytes()) / (1 << 20);
  std::cout << row.dump() << "\n";
  return 0;
}

}  // namespace

int cmd_bench(const std::vector<std::string>& argv) {
  Args args("bench", "Benchmarks: `ddm bench train` (the expert training step). Prints one JSON line.", true, "WHAT");
  args.add()("iters", "timed iterations", cxxopts::value<int>()->default_value("10"))(
      "warmup", "untimed iterations first", cxxopts::value<int>()->default_value("2"));
  if (!args.parse(argv)) return 0;
  const auto pos = args.positional();
  if (pos.size() != 1) throw UsageError("bench: say what to benchmark: ddm bench train");
  if (pos[0] == "train") return bench_train(args);
  throw UsageError(format("bench: unknown benchmark '{}' (valid: train)", pos[0]));
}

}  // namespace ddm::cli
