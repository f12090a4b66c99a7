// `ddm train-expert --shard k|all`: trains one expert on its shard only (or, with `all`, the
// unconditional baseline on all the data) into <run>/expert-<k>/.
#include <csignal>
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/shards.h"
#include "run/layout.h"
#include "train/expert_trainer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm::cli {

int cmd_train_expert(const std::vector<std::string>& argv) {
  Args args("train-expert",
            "Train one expert on its shard (k in 0..K-1), or on all the data (`all`: the unconditional baseline).");
  args.add()("shard", "shard index k, or 'all'", cxxopts::value<std::string>())(
      "restart", "ignore and delete earlier checkpoints in the expert's folder (otherwise training resumes)")(
      "init",
      "start from this expert checkpoint's weights (ddm import --out FILE, or another run's expert): fine-tuning",
      cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  if (!args.has("shard")) throw UsageError("train-expert: --shard k (0..K-1) or --shard all is required");
  const std::string shard_arg = args.get<std::string>("shard");
  const Config cfg = args.config();

  int shard = kAllShards;
  if (shard_arg != "all") {
    char* end = nullptr;
    const long v = std::strtol(shard_arg.c_str(), &end, 10);
    if (shard_arg.empty() || *end != '\0' || v < 0)
      throw UsageError(format("train-expert: --shard {}: expected an index 0..K-1 or 'all'", shard_arg));
    shard = static_cast<int>(v);
  }
  // The manifest decides which examples this expert may see; `all` needs none.
  const RunLayout run(cfg.run_dir());
  const std::string manifest_file = run.manifest();
  const bool have_manifest = path_exists(manifest_file);
  if (shard != kAllShards && !have_manifest)
    fail("{} not found: run `ddm prepare --config {}` first (an expert trains on one shard of it)", manifest_file,
         cfg.source.empty() ? "CONFIG" : cfg.source);

  ExpertRunOptions opts;
  opts.cfg = cfg;
  opts.shard = shard;
  opts.restart = args.has("restart");
  if (args.has("init")) opts.init = args.get<std::string>("init");
  const RunContext ctx = open_run(cfg, RunLayout::expert_folder(shard));
  opts.dir = ctx.dir;
  opts.device = ctx.device;
  opts.dist = ctx.dist;
  opts.progress = log::level() <= log::Level::kInfo;

  const Dataset all = load_dataset(cfg.data, cfg.shards.method);
  Dataset data = all;
  if (have_manifest) {
    const ShardManifest m = ShardManifest::load(manifest_file);
    m.check_matches(cfg.data, manifest_file);
    opts.k = m.k;
    if (shard != kAllShards) {
      if (shard >= m.k) fail("--shard {}: {} has only K = {} shards (0..{})", shard, manifest_file, m.k, m.k - 1);
      data = all.subset(m.indices(shard));
    }
  }
  const ExpertRunResult r = train_expert(opts, data);
  if (opts.dist.active() && opts.dist.is_main())
    std::cout << format(
        "data parallel: {} ranks, max weight difference from rank 0: {}, {:.2f} ms per step in all_reduce\n",
        opts.dist.world(), r.rank_divergence, r.allreduce_s_per_step * 1e3);
  if (opts.dist.is_main())
    std::cout << format("expert {}: step {}, loss {:.5f} ({}); checkpoint {}{}\n", shard_arg, r.step, r.loss,
                        r.stop_reason, r.checkpoint, r.preview.empty() ? "" : ", preview " + r.preview);
  if (r.signal != 0) return 128 + r.signal;  // the shell convention for "stopped by a signal"
  return 0;
}

}  // namespace ddm::cli
