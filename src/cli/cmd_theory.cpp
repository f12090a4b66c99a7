// `ddm theory`: what the reference paper proves, measured with exact experts and the exact
// posterior on a low-dimensional mixture (design.md sections 3 and 6; see eval/theory.h):
// pathwise RMS error and W2 to the exact PF-ODE against N, per rule and solver, with fitted
// exponents; a table, theory.json and two log-log plots.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "eval/theory.h"
#include "run/layout.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/plot.h"

namespace ddm::cli {
namespace {

template <class E>
std::vector<E> parse_list(const std::string& csv, const std::string& what) {
  std::vector<E> out;
  for (const std::string& item : split(csv, ',')) out.push_back(parse_enum<E>(item, what));
  require(!out.empty(), "{}: empty list", what);
  return out;
}

void plot_curves(const std::string& path, const TheoryResult& r, bool w2) {
  std::vector<PlotSeries> series;
  int color = 0;
  for (const auto& c : r.curves) {
    const PowerFit& f = w2 ? c.w2_fit : c.path_fit;
    PlotSeries s{format("{} (p = {:.2f})", c.label(), f.p), {}, w2 ? c.w2 : c.path_rms, false, color++};
    for (int n : c.steps) s.x.push_back(n);
    series.push_back(s);
  }
  if (w2 && !r.curves.empty()) {
    const auto& steps = r.curves[0].steps;
    series.push_back({"finite-sample floor (independent sets)",
                      {double(steps.front()), double(steps.back())},
                      {r.floor_w2, r.floor_w2},
                      false,
                      color});
  }
  PlotOptions po;
  po.log_x = po.log_y = true;
  po.width = 760;
  po.height = 520;
  po.title = w2 ? format("W2 to the exact PF-ODE's samples ({} points, exact assignment)", r.samples)
                : "pathwise RMS error to the exact PF-ODE (same noise)";
  po.xlabel = "steps N";
  po.ylabel = w2 ? "W2" : "RMS ||x_N - x_ref||";
  save_plot(path, series, po);
}

}  // namespace

int cmd_theory(const std::vector<std::string>& argv) {
  Args args("theory",
            "Convergence with exact experts and exact posterior on a low-dimensional labelled mixture (e.g. "
            "configs/toy2d.yaml): "
            "pathwise error and W2 against N per rule and solver.");
  args.add()("rules", "routing rules", cxxopts::value<std::string>()->default_value("mixture,switch,top1,fixed"))(
      "solvers", "solvers", cxxopts::value<std::string>()->default_value("ddim,euler,heun,dpmpp2m"))(
      "num", "samples per run (W2 is an O(n^3) exact assignment)", cxxopts::value<int64_t>()->default_value("500"));
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const Dataset data = load_dataset(cfg.data);
  require(!data.is_image() && data.has_labels(),
          "theory: needs a labelled low-dimensional data set such as configs/toy2d.yaml; {} is not", data.name);
  TheoryOptions opt;
  opt.rules = parse_list<RoutingRule>(args.get<std::string>("rules"), "--rules");
  opt.solvers = parse_list<SolverKind>(args.get<std::string>("solvers"), "--solvers");
  for (RoutingRule r : opt.rules)
    require(r != RoutingRule::kTopK, "--rules: topk is not part of the theory check (use top1 or mixture)");
  opt.steps = cfg.eval.trajectory_steps;
  opt.reference_steps = cfg.eval.reference_steps;
  opt.samples = args.get<int64_t>("num");
  opt.seed = static_cast<uint64_t>(cfg.sample.seed);
  const RunContext ctx = open_run(cfg, RunLayout::kTheoryFolder);
  const TheoryResult r = run_theory(data.data.to(torch::kFloat64), data.labels, static_cast<int>(data.num_classes()),
                                    Schedule::from_config(cfg.diffusion), cfg.diffusion.t_min, cfg.sample.spacing, opt);

  std::cout << format(
      "exact experts on {} (K = {}), {} samples, reference {} mixture {} steps; W2 floor (reference to "
      "independent draws of the data) {:.4f} +- {:.4f}\n",
      data.name, data.num_classes(), r.samples, r.reference_steps, to_string(r.reference_solver), r.floor_w2,
      r.floor_w2_sd);
  std::string head = format("  {:<15}", "rule solver");
  for (int n : opt.steps) head += format(" {:>8}", format("N={}", n));
  std::cout << head << "   p (fit)   R^2\n";
  for (const bool w2 : {false, true}) {
    std::cout << (w2 ? "W2 to the reference samples:\n" : "pathwise RMS error:\n");
    for (const auto& c : r.curves) {
      std::string line = format("  {:<15}", c.label());
      for (double v : w2 ? c.w2 : c.path_rms) line += format(" {:>8.4f}", v);
      const PowerFit& f = w2 ? c.w2_fit : c.path_fit;
      std::cout << line << format("   {:>7.3f}  {:.3f}\n", f.p, f.r2);
    }
  }
  Json out = r.to_json();
  out["config"] = config_to_json(cfg);
  atomic_write(path_join(ctx.dir, "theory.json"), out.dump(2) + "\n");
  plot_curves(path_join(ctx.dir, "theory-pathwise.png"), r, false);
  plot_curves(path_join(ctx.dir, "theory-w2.png"), r, true);
  std::cout << format("wrote {}/theory.json, theory-pathwise.png and theory-w2.png\n", ctx.dir);
  return 0;
}

}  // namespace ddm::cli
