// `ddm router-check`: the routers measured where sampling uses them. Along --paths exact PF-ODE
// paths with N in --steps, every alpha source (mog-a, mog-da-head, integrated,
// integrated-corrected, integrated-exact, prior) against the exact alpha: total variation at the
// last step and over the steps, argmax agreement at the last step. Routers: the run's newest
// (router-mog-a, router-sobolev, router-mog-da), or --routers FILE,... (e.g. the
// checkpoints of one run: then also final TV against training steps). Writes router-check.json,
// a table, tv-<N>.png per N and, with several checkpoints, tv-vs-steps.png.
#include <iostream>
#include <map>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "eval/router_check.h"
#include "models/checkpoint.h"
#include "router/exact_posterior.h"
#include "router/router.h"
#include "run/layout.h"
#include "run/run_loading.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/plot.h"

namespace ddm::cli {
namespace {

std::vector<std::string> default_routers(const std::string& run) {
  std::vector<std::string> out;
  for (const std::string& folder : RunLayout::router_folders()) {
    const std::string dir = path_join(run, folder);
    if (!path_exists(dir)) continue;
    const std::string p = CheckpointDir(dir, 1).latest();
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

// The sources one router gives, by its kind.
void add_router_sources(std::vector<CheckSource>& out, const std::string& path, double rate, torch::Device device) {
  auto r = std::make_shared<const Router>(load_router(path, device));
  const auto add = [&](const std::string& name, AlphaSource src) {
    out.push_back({name, path, r->meta.step, make_alpha_provider(src, r, nullptr, rate)});
  };
  if (r->meta.kind == RouterKind::kMogA) return add("mog-a", AlphaSource::kRouter);
  if (r->meta.kind == RouterKind::kSobolev) return add("sobolev", AlphaSource::kSobolev);
  add("mog-da-head", AlphaSource::kRouter);
  add("integrated", AlphaSource::kIntegrated);
  add("integrated-corrected", AlphaSource::kIntegratedCorrected);
}

void write_plots(const std::vector<CheckRow>& rows, const std::string& dir) {
  std::map<std::string, int64_t> newest;  // per source, its newest checkpoint: the per-N plots show it
  for (const auto& r : rows) newest[r.source] = std::max(newest[r.source], r.router_step);
  std::map<int, std::vector<PlotSeries>> by_n;
  std::map<std::string, PlotSeries> curves;
  for (const auto& r : rows) {
    if (r.router_step == newest[r.source]) by_n[r.steps].push_back({r.source, r.t, r.tv});
    PlotSeries& c = curves[format("{} N={}", r.source, r.steps)];
    c.label = format("{} N={}", r.source, r.steps);
    c.x.push_back(static_cast<double>(r.router_step));
    c.y.push_back(r.tv_final);
    c.markers = true;
  }
  for (const auto& [n, series] : by_n) {
    PlotOptions po;
    po.title = format("total variation to the exact alpha along exact paths, N = {}", n);
    po.xlabel = "t (sampling runs from 1 to t_min)";
    po.y_min = 0;
    save_plot(path_join(dir, format("tv-{}.png", n)), series, po);
  }
  std::vector<PlotSeries> several;
  for (const auto& [name, c] : curves)
    if (c.x.size() > 1) several.push_back(c);
  if (several.empty()) return;
  PlotOptions po;
  po.title = "final total variation to the exact alpha against training steps";
  po.xlabel = "router training step";
  po.y_min = 0;
  save_plot(path_join(dir, "tv-vs-steps.png"), several, po);
}

}  // namespace

int cmd_router_check(const std::vector<std::string>& argv) {
  Args args("router-check",
            "Each alpha source against the exact alpha along exact PF-ODE paths (TV, argmax agreement).");
  args.add()("paths", "exact PF-ODE paths", cxxopts::value<int64_t>()->default_value("256"))(
      "steps", "step counts N, comma-separated", cxxopts::value<std::string>()->default_value("10,25,50,100"))(
      "routers", "router checkpoints, comma-separated (default: the run's newest of each kind)",
      cxxopts::value<std::string>())("out", "output folder (default <run>/router-check)",
                                     cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  RouterCheckOptions opts;
  opts.paths = args.get<int64_t>("paths");
  opts.steps.clear();
  for (const std::string& s : split(args.get<std::string>("steps"), ',')) {
    try {
      opts.steps.push_back(std::stoi(s));
    } catch (const std::exception&) {
      throw UsageError(format("router-check: --steps {}: expected integers", args.get<std::string>("steps")));
    }
  }
  opts.spacing = cfg.sample.spacing;
  opts.t_min = cfg.diffusion.t_min;
  opts.seed = static_cast<uint64_t>(cfg.sample.seed);
  const ShardManifest m = load_run_manifest(RunLayout(cfg.run_dir()), &cfg.data);
  const std::vector<std::string> routers =
      args.has("routers") ? split(args.get<std::string>("routers"), ',') : default_routers(cfg.run_dir());
  const RunContext ctx =
      args.has("out") ? open_folder(cfg, args.get<std::string>("out")) : open_run(cfg, RunLayout::kRouterCheckFolder);
  const Dataset data = load_dataset(cfg.data, cfg.shards.method);
  auto exact = std::make_shared<const ExactPosterior>(
      make_exact_posterior(data, m, Schedule::from_config(cfg.diffusion), ctx.device));

  std::vector<CheckSource> sources;
  for (const std::string& p : routers) add_router_sources(sources, p, cfg.sample.correction, ctx.device);
  sources.push_back({"integrated-exact", "", 0,
                     std::make_shared<IntegratedAlpha>(exact_derivative(exact), m.priors(), IntegrationMode::kLogit)});
  sources.push_back({"prior", "", 0, prior_alpha(m.priors())});
  if (routers.empty()) log::warn("no router found in {}: only the exact and prior sources are checked", cfg.run_dir());

  const auto rows =
      router_check(*exact, sources, opts, ctx.device, [](const std::string& s) { log::info("router-check: {}", s); });
  std::cout << format("{:<22} {:>6} {:>5} {:>9} {:>9} {:>8}\n", "source", "step", "N", "TV final", "TV mean", "argmax");
  for (const auto& r : rows)
    std::cout << format("{:<22} {:>6} {:>5} {:>9.4f} {:>9.4f} {:>8.3f}\n", r.source, r.router_step, r.steps, r.tv_final,
                        r.tv_mean, r.argmax_agree);
  atomic_write(path_join(ctx.dir, "router-check.json"), router_check_json(rows).dump(2) + "\n");
  write_plots(rows, ctx.dir);
  std::cout << format("wrote {}/router-check.json and tv-<N>.png\n", ctx.dir);
  return 0;
}

}  // namespace ddm::cli
