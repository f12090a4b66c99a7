// `ddm dist-check`: run under torchrun to check a data-parallel setup before a long job. Every
// collective ddm uses (all_reduce sum and max in float32, float64 and int64, broadcast from every
// root, barrier, and the trainers' bucketed gradient averaging) is run against its known answer on
// every rank, then all_reduce is timed. Debian's gloo headers are older than the gloo inside the
// pip wheel (cmake/dist.cmake), so this is the guard docs/scaling.md promises for each collective.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "dist/data_parallel.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timer.h"

namespace ddm::cli {
namespace {

struct Checker {
  const Dist& dist;
  Json results = Json::object();
  int failed = 0;
  void expect(const std::string& name, const torch::Tensor& got, const torch::Tensor& want) {
    const bool ok = got.sizes() == want.sizes() && torch::equal(got.to(want.scalar_type()).cpu(), want);
    results[name] = ok;
    if (ok) return;
    ++failed;
    log::error("rank {}: {}: got {} ... , expected {} ...", dist.rank(), name,
               got.flatten().slice(0, 0, 4).cpu().to(torch::kFloat64),
               want.flatten().slice(0, 0, 4).to(torch::kFloat64));
  }
};

void check_all_reduce(Checker& c, torch::Device device) {
  const int64_t w = c.dist.world(), r = c.dist.rank();
  for (const auto type : {torch::kFloat32, torch::kFloat64, torch::kInt64}) {
    const torch::Tensor base = torch::arange(1000, torch::TensorOptions().dtype(type));
    std::vector<torch::Tensor> t{(base * (r + 1)).to(device)};
    c.dist.all_reduce(t, ReduceOp::kSum);
    c.expect(format("all_reduce sum {}", c10::toString(type)), t[0], base * (w * (w + 1) / 2));
    std::vector<torch::Tensor> m{(base + r).to(device)};
    c.dist.all_reduce(m, ReduceOp::kMax);
    c.expect(format("all_reduce max {}", c10::toString(type)), m[0], base + (w - 1));
  }
}

void check_broadcast(Checker& c, torch::Device device) {
  for (int root = 0; root < c.dist.world(); ++root) {
    const torch::Tensor base = torch::arange(777, torch::kFloat32);
    std::vector<torch::Tensor> t{(base + 10.0 * c.dist.rank()).to(device)};
    c.dist.broadcast(t, root);
    c.expect(format("broadcast from rank {}", root), t[0], base + 10.0 * root);
  }
  c.dist.barrier();
  c.results["barrier"] = true;
}

// The trainers' path: bucketed gradient averaging (three buckets here), the scalars beside it,
// the weight broadcast and the divergence check.
void check_gradient_sync(Checker& c, torch::Device device) {
  const double r = c.dist.rank(), w = c.dist.world();
  std::vector<torch::Tensor> params;
  for (int64_t n : {300, 5, 1200}) {
    params.push_back(torch::full({n}, r, torch::TensorOptions().device(device).requires_grad(true)));
    params.back().mutable_grad() = torch::arange(n, torch::kFloat32).to(device) * (r + 1);
  }
  GradientSync sync(c.dist, params, GradientReduce::kMean, /*bucket_bytes=*/1024);
  const torch::Tensor mean = sync.average(torch::tensor({r, 2 * r}, torch::kFloat64));
  for (size_t i = 0; i < params.size(); ++i)
    c.expect(format("gradient average {}", i), params[i].grad(),
             torch::arange(params[i].numel(), torch::kFloat32) * ((w + 1) / 2));
  c.expect("scalar average", mean, torch::tensor({(w - 1) / 2, w - 1}, torch::kFloat64));
  const double before = max_divergence(c.dist, params);
  broadcast_tensors(c.dist, params, 0);
  c.expect("weight broadcast", params[2].detach(), torch::zeros({1200}));
  const double after = max_divergence(c.dist, params);
  c.expect("divergence", torch::tensor({before, after}, torch::kFloat64), torch::tensor({w - 1, 0.0}, torch::kFloat64));
}

}  // namespace

int cmd_dist_check(const std::vector<std::string>& argv) {
  Args args(
      "dist-check",
      "Check a data-parallel setup (start it with torchrun): every collective ddm uses, then all_reduce timings.");
  args.add()("mib", "all_reduce size to time, MiB", cxxopts::value<int>()->default_value("16"))(
      "iters", "timed all_reduce repetitions", cxxopts::value<int>()->default_value("10"));
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const int mib = args.get<int>("mib"), iters = args.get<int>("iters");
  require(mib >= 1 && iters >= 1, "dist-check: --mib and --iters must be >= 1");
  torch::Device device = resolve_device(cfg.run.device);
  const Dist& dist = join_process_group(cfg.dist, device);
  Checker c{dist};
  check_all_reduce(c, device);
  check_broadcast(c, device);
  check_gradient_sync(c, device);
  const int failed = static_cast<int>(dist.max(c.failed));
  require(failed == 0, "rank {} of {}: {} collective check(s) failed on some rank (see the messages above)",
          dist.rank(), dist.world(), failed);

  std::vector<torch::Tensor> big{torch::ones({int64_t{mib} << 18}, torch::TensorOptions().device(device))};
  dist.all_reduce(big, ReduceOp::kSum);  // warm-up
  dist.barrier();
  Stopwatch clock;
  for (int i = 0; i < iters; ++i) dist.all_reduce(big, ReduceOp::kSum);
  const double s = dist.max(clock.seconds()) / iters;
  Json j = Json::object();
  j["world"] = dist.world();
  j["backend"] = dist.backend();
  j["device"] = device.str();
  j["checks"] = c.results;
  j["all_reduce_mib"] = mib;
  j["all_reduce_ms"] = s * 1e3;
  // The bus bandwidth of a ring all_reduce (nccl-tests' convention): 2 (W-1)/W bytes per byte.
  j["bus_gb_per_s"] = dist.world() > 1 ? (mib * 1048576.0) * 2 * (dist.world() - 1) / dist.world() / s / 1e9 : 0.0;
  if (dist.is_main()) std::cout << j.dump() << "\n";
  return 0;
}

}  // namespace ddm::cli
