// `ddm trajectory`: the reference paper's trajectory-error analysis (appendix E.3) for the
// configured rule and alpha source: mean squared distance of N-step samples to a many-step
// reference from the same noise, the fitted exponent p of err = c N^-p and R^2; a table,
// trajectory.json and a log-log plot.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "eval/trajectory.h"
#include "run/layout.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/plot.h"

namespace ddm::cli {

int cmd_trajectory(const std::vector<std::string>& argv) {
  Args args("trajectory", "Trajectory error against a many-step reference: err(N) = c N^-p (reference paper, E.3).");
  args.key_flags({{"experts", "sample.experts"}});
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const torch::Device device = resolve_device(cfg.run.device);
  const SamplingModel model = load_sampling_model(model_sources(cfg), cfg.sample, device);
  SampleConfig sc = cfg.sample;
  const RunContext ctx = open_run(cfg, RunLayout::trajectory_folder(sc));
  const TrajectoryResult r = trajectory_error(model, sc, cfg.eval.trajectory_steps, cfg.eval.reference_steps, device);

  std::cout << format("trajectory error of {} samples ({}), reference {} steps:\n", sc.num, model.describe(),
                      r.reference_steps);
  std::cout << format("  {:>6} {:>14}\n", "N", "mean sq. err");
  for (const auto& row : r.rows) std::cout << format("  {:>6} {:>14.6g}\n", row.steps, row.mse);
  std::cout << format("  fit err = {:.4g} N^-{:.3f}, R^2 = {:.4f}\n", r.fit.c, r.fit.p, r.fit.r2);
  Json out = r.to_json();
  out["config"] = config_to_json(cfg);
  atomic_write(path_join(ctx.dir, "trajectory.json"), out.dump(2) + "\n");
  PlotSeries meas{"measured", {}, {}, false}, fit{format("fit: p = {:.2f}", r.fit.p), {}, {}, false};
  for (const auto& row : r.rows) {
    meas.x.push_back(row.steps), meas.y.push_back(row.mse);
    fit.x.push_back(row.steps), fit.y.push_back(r.fit.c * std::pow(row.steps, -r.fit.p));
  }
  PlotOptions po;
  po.log_x = po.log_y = true;
  po.title = format("trajectory error, {} (reference {} steps)", RunLayout::sample_set_stem(sc), r.reference_steps);
  po.xlabel = "steps N";
  po.ylabel = "mean squared error";
  save_plot(path_join(ctx.dir, "trajectory.png"), {meas, fit}, po);
  std::cout << format("wrote {}/trajectory.json and trajectory.png\n", ctx.dir);
  return 0;
}

}  // namespace ddm::cli
