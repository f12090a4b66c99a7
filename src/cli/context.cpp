// Run-folder setup (see context.h).
#include "cli/context.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include "models/cuda_speed.h"
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

RunContext open_run(const Config& cfg, const std::string& subdir) {
  return open_folder(cfg, subdir.empty() ? cfg.run_dir() : path_join(cfg.run_dir(), subdir));
}

RunContext open_folder(const Config& cfg, const std::string& dir) {
  RunContext ctx;
  ctx.cfg = cfg;
  ctx.dir = dir;
  ctx.device = resolve_device(cfg.run.device);
  if (cfg.run.threads > 0) torch::set_num_threads(cfg.run.threads);
  ensure_writable_dir(ctx.dir);
  log::set_file(path_join(ctx.dir, "log.txt"));
  write_resolved_config(cfg, ctx.dir);
  log::info("run folder {} (device {}, {} threads)", ctx.dir, ctx.device.str(), torch::get_num_threads());
  return ctx;
}

}  // namespace ddm::cli
