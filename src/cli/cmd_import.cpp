// `ddm import`: a diffusers UNet2DModel folder (for example the public DDPM CIFAR-10 model) as a
// ddm expert checkpoint (interop/exchange.h): `--shard all` makes it the run's baseline
// (sample --baseline), `--shard k` expert k, `--out FILE` a file for train-expert --init.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "data/shards.h"
#include "interop/exchange.h"
#include "models/expert.h"
#include "run/run_loading.h"
#include "util/error.h"
#include "util/fs.h"

namespace ddm::cli {

int cmd_import(const std::vector<std::string>& argv) {
  Args args("import",
            "Read a diffusers UNet2DModel folder (config.json, diffusion_pytorch_model.safetensors or .bin, optional "
            "scheduler_config.json) or pipeline folder (model_index.json, unet/, scheduler/) into a ddm expert "
            "checkpoint.",
            true, "FOLDER");
  args.add()("out", "write the checkpoint here", cxxopts::value<std::string>())(
      "shard", "or into the run of --config as expert k, or 'all' (the baseline)", cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  const auto inputs = args.positional();
  if (inputs.size() != 1) throw UsageError("import: give one FOLDER (a diffusers UNet2DModel)");
  if (args.has("out") == args.has("shard"))
    throw UsageError("import: give --out FILE or --shard k|all (with --config)");
  const Config cfg = args.config();
  ImportOptions o;
  o.t_min = cfg.diffusion.t_min;
  std::string path;
  if (args.has("out")) {
    path = args.get<std::string>("out");
  } else {
    const std::string s = args.get<std::string>("shard");
    if (s != "all") {
      const ShardManifest m = load_run_manifest(RunLayout(cfg.run_dir()));
      char* end = nullptr;
      o.shard = static_cast<int>(std::strtol(s.c_str(), &end, 10));
      if (s.empty() || *end || o.shard < 0 || o.shard >= m.k)
        throw UsageError(format("import: --shard {}: expected 0..{} or 'all'", s, m.k - 1));
      o.k = m.k;
      o.dataset = m.to_json().value("dataset", "");
    }
    const std::string dir = RunLayout(cfg.run_dir()).expert(s == "all" ? kAllShards : o.shard);
    require(CheckpointDir(dir, 1).latest().empty(), "{} already holds checkpoints: import into an empty expert folder",
            dir);
    ensure_writable_dir(dir);
    path = CheckpointDir(dir, 1).path_for(0);
  }
  const Checkpoint ckpt = import_unet2d(inputs[0], cfg, o);
  save_checkpoint(path, ckpt);
  std::cout << format("imported {} ({}) -> {}\n", inputs[0], ckpt.meta.at("expert").at("architecture").dump(), path);
  return 0;
}

}  // namespace ddm::cli
