// Run-folder setup (see context.h).
#include "cli/context.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include "dist/env.h"
#include "models/speed_settings.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm::cli {

torch::Device resolve_device(DeviceKind kind) {
  const bool cuda = torch::cuda::is_available();
  require(kind != DeviceKind::kCuda || cuda,
          "run.device=cuda, but LibTorch cannot use CUDA here (CPU build or no GPU): use run.device=cpu");
  if (kind == DeviceKind::kCpu || !cuda) return torch::kCPU;
  enable_cuda_fast_math();  // cuDNN autotuning, TF32
  return torch::kCUDA;
}

namespace {
// cuda:LOCAL_RANK, wrapped around the visible devices (several Gloo ranks may share one GPU;
// NCCL refuses two ranks on one device by itself).
torch::Device rank_device(int local_rank) {
  const int n = std::max<int>(1, static_cast<int>(torch::cuda::device_count()));
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % n));
}
}  // namespace

const Dist& join_process_group(const DistConfig& dc, torch::Device& device) {
  static const Dist* group = nullptr;
  if (!group) {
    const DistEnv env = read_dist_env();
    if (env.distributed() && device.is_cuda()) device = rank_device(env.local_rank);
    group = new Dist(Dist::join(env, dc, device));  // lives as long as the process
    if (!group->is_main()) log::set_level(std::max(log::level(), log::Level::kWarn));
    if (group->active())
      log::info("data parallel: rank {} of {} ({} backend, store at {}:{}{})", group->rank(), group->world(),
                group->backend(), env.master_addr, env.master_port,
                env.agent_store ? ", torchrun agent " + env.store_prefix() : std::string());
  } else if (group->active() && device.is_cuda()) {
    device = rank_device(group->local_rank());
  }
  return *group;
}

RunContext open_run(const Config& cfg, const std::string& subdir) {
  return open_folder(cfg, subdir.empty() ? cfg.run_dir() : path_join(cfg.run_dir(), subdir));
}

RunContext open_folder(const Config& cfg, const std::string& dir) {
  RunContext ctx;
  ctx.cfg = cfg;
  ctx.dir = dir;
  ctx.device = resolve_device(cfg.run.device);
  ctx.dist = join_process_group(cfg.dist, ctx.device);
  if (cfg.run.threads > 0) torch::set_num_threads(cfg.run.threads);
  ensure_writable_dir(ctx.dir);
  if (ctx.dist.is_main()) {
    log::set_file(path_join(ctx.dir, "log.txt"));
    write_resolved_config(cfg, ctx.dir);
  }
  log::info("run folder {} (device {}, {} threads)", ctx.dir, ctx.device.str(), torch::get_num_threads());
  return ctx;
}

}  // namespace ddm::cli
