// `ddm router-profile`: from the exact posterior of a data set and its shards, the mean
// |d alpha/dt| and the mean entropy of alpha against t (how a user picks MoG-da's interval
// bounds router.t1, router.t2). Prints a table and writes profile.json and two PNG plots.
#include <ATen/CPUGeneratorImpl.h>

#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "diffusion/parameterization.h"
#include "router/router_trainer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/plot.h"

namespace ddm::cli {

int cmd_router_profile(const std::vector<std::string>& argv) {
  Args args("router-profile", "Mean |d alpha/dt| and entropy of alpha against t, from the exact posterior of the shards.");
  args.add()("points", "noisy points per time", cxxopts::value<int>()->default_value("256"))(
      "times", "number of times between t_min and t_max", cxxopts::value<int>()->default_value("40"));
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const int points = args.get<int>("points"), times = args.get<int>("times");
  require(points >= 1 && times >= 2, "router-profile: --points must be >= 1 and --times >= 2");
  const std::string manifest_file = manifest_path(cfg);
  if (!path_exists(manifest_file)) fail("{} not found: run `ddm prepare` first", manifest_file);
  const ShardManifest m = ShardManifest::load(manifest_file);
  m.check_matches(cfg.data, manifest_file);
  const RunContext ctx = open_run(cfg, "router-profile");
  const Dataset data = load_dataset(cfg.data);
  const Schedule sch = Schedule::from_config(cfg.diffusion);
  const ExactPosterior exact = make_exact_posterior(data, m, sch, ctx.device);

  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(cfg.train.seed));
  PlotSeries deriv{"mean |dalpha/dt|", {}, {}}, entropy{"mean entropy of alpha", {}, {}};
  Json rows = Json::array();
  std::cout << format("{:>8} {:>16} {:>16}\n", "t", "mean|dalpha/dt|", "entropy(alpha)");
  const double lo = cfg.diffusion.t_min, hi = sch.t_max();
  for (int i = 0; i < times; ++i) {
    // Log-spaced in t: the action near the data happens at small t.
    const double t = lo * std::pow(hi / lo, static_cast<double>(i) / (times - 1));
    const torch::Tensor idx = torch::randint(data.size(), {points}, gen, torch::kInt64);
    const torch::Tensor x0 = data.batch(idx).to(ctx.device);
    const torch::Tensor eps = torch::randn(x0.sizes(), gen, torch::kFloat32).to(ctx.device);
    const torch::Tensor xt = sch.alpha(t) * x0 + sch.sigma(t) * eps;
    const PosteriorOut ex = exact.compute(xt, torch::full({points}, t, torch::kFloat64).to(ctx.device), true);
    const torch::Tensor a = ex.alpha.to(torch::kFloat64);
    const double d = ex.dalpha.to(torch::kFloat64).abs().sum(1).mean().item<double>();
    const double h = -(a * torch::log(a.clamp_min(1e-300))).sum(1).mean().item<double>();
    deriv.x.push_back(t), deriv.y.push_back(d);
    entropy.x.push_back(t), entropy.y.push_back(h);
    Json r = Json::object();
    r["t"] = t;
    r["mean_abs_dalpha_dt"] = d;
    r["entropy"] = h;
    rows.push_back(r);
    std::cout << format("{:>8.4f} {:>16.5g} {:>16.4f}\n", t, d, h);
  }
  Json out = Json::object();
  out["dataset"] = data.name;
  out["k"] = m.k;
  out["max_entropy"] = std::log(static_cast<double>(m.k));
  out["rows"] = rows;
  atomic_write(path_join(ctx.dir, "profile.json"), out.dump(2) + "\n");
  PlotOptions po;
  po.log_x = true;
  po.log_y = true;
  po.xlabel = "t";
  po.title = format("{}: mean sum_k |d alpha_k / dt| (exact, K = {})", data.name, m.k);
  save_plot(path_join(ctx.dir, "dalpha.png"), {deriv}, po);
  po.log_y = false;
  po.title = format("{}: mean entropy of alpha (max log K = {:.2f})", data.name, std::log(static_cast<double>(m.k)));
  save_plot(path_join(ctx.dir, "entropy.png"), {entropy}, po);
  std::cout << format("wrote {}/profile.json, dalpha.png, entropy.png\n", ctx.dir);
  return 0;
}

}  // namespace ddm::cli
