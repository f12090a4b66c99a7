// `ddm router-profile`: from the exact posterior of a data set and its shards, the mean
// |d alpha/dt| and the mean entropy of alpha against t (how a user picks MoG-da's interval
// bounds router.t1, router.t2). Prints a table and writes profile.json and two PNG plots.
#include <ATen/CPUGeneratorImpl.h>

#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "router/derivative_profile.h"
#include "router/router_trainer.h"
#include "run/layout.h"
#include "run/run_loading.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/plot.h"

namespace ddm::cli {

int cmd_router_profile(const std::vector<std::string>& argv) {
  Args args("router-profile",
            "Mean |d alpha/dt| and entropy of alpha against t, from the exact posterior of the shards.");
  args.add()("points", "noisy points per time", cxxopts::value<int>()->default_value("256"))(
      "times", "number of times between t_min and t_max", cxxopts::value<int>()->default_value("40"));
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const int points = args.get<int>("points"), times = args.get<int>("times");
  require(points >= 1 && times >= 2, "router-profile: --points must be >= 1 and --times >= 2");
  const ShardManifest m = load_run_manifest(RunLayout(cfg.run_dir()), &cfg.data);
  const RunContext ctx = open_run(cfg, RunLayout::kRouterProfileFolder);
  const Dataset data = load_dataset(cfg.data);
  const Schedule sch = Schedule::from_config(cfg.diffusion);
  const ExactPosterior exact = make_exact_posterior(data, m, sch, ctx.device);

  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(cfg.train.seed));
  const DerivativeProfile prof = derivative_profile(exact, data, torch::arange(data.size()), times, points,
                                                    cfg.diffusion.t_min, sch.t_max(), gen, ctx.device);
  PlotSeries deriv{"mean |dalpha/dt|", {}, {}}, entropy{"mean entropy of alpha", {}, {}};
  std::cout << format("{:>8} {:>16} {:>16}\n", "t", "mean|dalpha/dt|", "entropy(alpha)");
  for (const ProfileRow& r : prof.rows) {
    deriv.x.push_back(r.t), deriv.y.push_back(r.mean_abs_dalpha);
    entropy.x.push_back(r.t), entropy.y.push_back(r.entropy);
    std::cout << format("{:>8.4f} {:>16.5g} {:>16.4f}\n", r.t, r.mean_abs_dalpha, r.entropy);
  }
  const auto [t1, t2] = prof.equal_mass_bounds();
  std::cout << format("equal thirds of the derivative mass (router.t1/t2=auto): t1 = {:.4f}, t2 = {:.4f}\n", t1, t2);
  Json rows = prof.to_json();
  Json out = Json::object();
  out["dataset"] = data.name;
  out["k"] = m.k;
  out["max_entropy"] = std::log(static_cast<double>(m.k));
  out["rows"] = rows;
  out["auto_t1"] = t1;
  out["auto_t2"] = t2;
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
