// `ddm train-router --kind mog-a|mog-da|sobolev [--targets exact|labels|samples]`: trains the router
// into <run>/router-<kind>/ on the run's data set (exact, labels), on the experts' samples
// (samples: no data set), or as one party of a federation under torchrun (router.federated), and
// prints its held-out evaluation per time interval.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "router/federation.h"
#include "router/party_examples.h"
#include "router/router_trainer.h"
#include "run/run_loading.h"
#include "sample/expert_pool.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm::cli {

namespace {
// A figure, or "-" where the examples cannot give it (no exact posterior).
std::string or_dash(double v) { return std::isnan(v) ? std::string("-") : format("{:.4f}", v); }
}  // namespace

void print_router_eval(const RouterRunResult& r, RouterKind kind) {
  std::cout << format("held-out evaluation ({}):\n", to_string(kind));
  std::cout << format("  {:<12} {:>13} {:>14} {:>11} {:>13}\n", "interval", "t", "cross-entropy", "|alpha| MAE",
                      "|dalpha| MAE");
  for (const auto& e : r.intervals)
    std::cout << format("  {:<12} {:>6.3f}-{:<6.3f} {:>14.4f} {:>11} {:>13}\n", e.name, e.lo, e.hi, e.cross_entropy,
                        or_dash(e.alpha_mae), or_dash(e.dalpha_mae));
  if (!std::isnan(r.integrated_tv))
    std::cout << format(
        "  alpha integrated along exact PF-ODE paths ({} steps), total variation to the exact alpha at t_min: {:.4f}\n",
        r.integrated_steps, r.integrated_tv);
  if (!std::isnan(r.difference_error))
    std::cout << format("  central difference against the exact JVP (near data, 64 points): relative error {:.2e}\n",
                        r.difference_error);
}

namespace {

// router.federated: this rank's party alone; the priors from every party's count. Rank 0 records
// the counts as the run's manifest (what sampling reads the priors from), or checks them against
// the one there.
std::unique_ptr<RouterExamples> federated_examples(const RunContext& ctx, const RunLayout& run) {
  const Config& cfg = ctx.cfg;
  const Federation fed = join_federation(ctx.dist, cfg);
  ShardsConfig sc = cfg.shards;
  sc.method = ShardMethod::kCounts;
  sc.counts.assign(fed.counts.begin(), fed.counts.end());
  const ShardManifest counts = manifest_from_counts(sc);
  if (ctx.dist.is_main()) {
    if (!path_exists(run.manifest())) counts.save(run.manifest());
    const ShardManifest have = load_run_manifest(run);
    bool same = have.k == counts.k;
    for (int j = 0; same && j < counts.k; ++j) same = have.size(j) == counts.size(j);
    require(same, "{}: its shard sizes differ from the parties' example counts {}", run.manifest(),
            torch::IntArrayRef(fed.counts));
  }
  return std::make_unique<PartyExamples>(
      std::vector<Party>{{ctx.dist.rank(), fed.data, {}}}, counts.priors(), Schedule::from_config(cfg.diffusion),
      party_options(cfg.router, cfg.train.seed, "federated labels", ctx.dist, ctx.device));
}

// router.targets=samples: each expert's pool of samples as its party, the priors from the manifest
// (which may hold counts alone): no data set is read.
std::unique_ptr<RouterExamples> sample_examples(const RunContext& ctx, const RunLayout& run, bool progress) {
  const Config& cfg = ctx.cfg;
  require(!ctx.dist.active(), "router.targets=samples runs as one process (the pools are generated once)");
  const ShardManifest m = load_run_manifest(run);
  const PoolOptions po{cfg.router.pool, static_cast<uint64_t>(cfg.train.seed), progress};
  std::vector<Party> parties;
  for (int k = 0; k < m.k; ++k)
    parties.push_back({k, expert_pool(model_sources(cfg), cfg.sample, k, po, ctx.device), {}});
  return std::make_unique<PartyExamples>(std::move(parties), m.priors(), Schedule::from_config(cfg.diffusion),
                                         party_options(cfg.router, cfg.train.seed, "samples", ctx.dist, ctx.device));
}

}  // namespace

int cmd_train_router(const std::vector<std::string>& argv) {
  Args args("train-router", "Train the router (MoG-a, MoG-da or Sobolev) on the shards of the run's manifest.");
  args.key_flags({{"kind", "router.kind"}, {"targets", "router.targets"}});
  args.add()("restart", "ignore and delete earlier checkpoints in the router's folder (otherwise training resumes)");
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const RunLayout run(cfg.run_dir());
  const RunContext ctx = open_run(cfg, RunLayout::router_folder(cfg.router.kind));
  RouterRunOptions opts;
  opts.cfg = cfg;
  opts.dir = ctx.dir;
  opts.device = ctx.device;
  opts.dist = ctx.dist;
  opts.restart = args.has("restart");
  opts.progress = log::level() <= log::Level::kInfo;
  RouterRunResult r;
  if (cfg.router.federated || cfg.router.targets == RouterTargets::kSamples) {
    const auto examples =
        cfg.router.federated ? federated_examples(ctx, run) : sample_examples(ctx, run, opts.progress);
    require(examples->info().k >= 2, "a router needs K >= 2 parties, there are {}", examples->info().k);
    r = train_router(opts, *examples);
  } else {
    const ShardManifest m = load_run_manifest(run, &cfg.data);
    require(m.k >= 2, "{}: a router needs K >= 2 shards, the manifest has {}", run.manifest(), m.k);
    const Dataset data = load_dataset(cfg.data, cfg.shards.method);
    r = train_router(opts, data, m);
  }
  if (!ctx.dist.is_main()) return r.loop.signal ? 128 + r.loop.signal : 0;
  std::cout << format("router {} ({} targets): step {}, loss {:.5f} ({}); checkpoint {}\n", to_string(cfg.router.kind),
                      to_string(cfg.router.targets), r.loop.step, r.loop.loss, r.loop.stop_reason, r.loop.checkpoint);
  print_router_eval(r, cfg.router.kind);
  std::cout << format("evaluation written to {}\n", path_join(ctx.dir, "eval.json"));
  return r.loop.signal ? 128 + r.loop.signal : 0;
}

}  // namespace ddm::cli
