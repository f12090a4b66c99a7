// `ddm train-router --kind mog-a|mog-da|sobolev`: trains the router on the shard labels of the run's
// manifest into <run>/router-<kind>/ and prints its held-out evaluation per time interval.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "router/router_trainer.h"
#include "run/run_loading.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm::cli {

void print_router_eval(const RouterRunResult& r, RouterKind kind) {
  std::cout << format("held-out evaluation ({}):\n", to_string(kind));
  std::cout << format("  {:<12} {:>13} {:>14} {:>11} {:>13}\n", "interval", "t", "cross-entropy", "|alpha| MAE",
                      "|dalpha| MAE");
  for (const auto& e : r.intervals)
    std::cout << format("  {:<12} {:>6.3f}-{:<6.3f} {:>14.4f} {:>11.4f} {:>13}\n", e.name, e.lo, e.hi, e.cross_entropy,
                        e.alpha_mae, std::isnan(e.dalpha_mae) ? std::string("-") : format("{:.4f}", e.dalpha_mae));
  if (!std::isnan(r.integrated_tv))
    std::cout << format(
        "  alpha integrated along exact PF-ODE paths ({} steps), total variation to the exact alpha at t_min: {:.4f}\n",
        r.integrated_steps, r.integrated_tv);
  if (!std::isnan(r.difference_error))
    std::cout << format("  central difference against the exact JVP (near data, 64 points): relative error {:.2e}\n",
                        r.difference_error);
}

int cmd_train_router(const std::vector<std::string>& argv) {
  Args args("train-router", "Train the router (MoG-a, MoG-da or Sobolev) on the shards of the run's manifest.");
  args.key_flags({{"kind", "router.kind"}});
  args.add()("restart", "ignore and delete earlier checkpoints in the router's folder (otherwise training resumes)");
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const RunLayout run(cfg.run_dir());
  const ShardManifest m = load_run_manifest(run, &cfg.data);
  require(m.k >= 2, "{}: a router needs K >= 2 shards, the manifest has {}", run.manifest(), m.k);

  const RunContext ctx = open_run(cfg, RunLayout::router_folder(cfg.router.kind));
  RouterRunOptions opts;
  opts.cfg = cfg;
  opts.dir = ctx.dir;
  opts.device = ctx.device;
  opts.dist = ctx.dist;
  opts.restart = args.has("restart");
  opts.progress = log::level() <= log::Level::kInfo;
  const Dataset data = load_dataset(cfg.data);
  const RouterRunResult r = train_router(opts, data, m);
  if (!ctx.dist.is_main()) return r.loop.signal ? 128 + r.loop.signal : 0;
  std::cout << format("router {}: step {}, loss {:.5f} ({}); checkpoint {}\n", to_string(cfg.router.kind), r.loop.step,
                      r.loop.loss, r.loop.stop_reason, r.loop.checkpoint);
  print_router_eval(r, cfg.router.kind);
  std::cout << format("evaluation written to {}\n", path_join(ctx.dir, "eval.json"));
  return r.loop.signal ? 128 + r.loop.signal : 0;
}

}  // namespace ddm::cli
