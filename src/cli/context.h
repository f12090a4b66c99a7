// What every command that writes results does first: resolve the device and thread count,
// join the data-parallel group, create its folder (<run>/<subdir>), and on rank 0 log there to
// log.txt and record config.yaml.
#pragma once
#include <torch/types.h>

#include <string>

#include "config/config.h"
#include "dist/process_group.h"

namespace ddm::cli {

torch::Device resolve_device(DeviceKind kind);

struct RunContext {
  Config cfg;
  std::string dir;
  torch::Device device{torch::kCPU};
  Dist dist;  // one process unless torchrun started this command with WORLD_SIZE > 1
};

// The data-parallel group torchrun's environment describes, joined once per process (one process
// without WORLD_SIZE). With CUDA, `device` becomes cuda:LOCAL_RANK (modulo the devices). Ranks other than 0 then log
// warnings and errors only: rank 0 speaks and writes for the job.
const Dist& join_process_group(const DistConfig& dc, torch::Device& device);

// `subdir`: the command's own folder inside the run ("" for the run folder itself,
// "expert-3", "router-mog-da", ...).
RunContext open_run(const Config& cfg, const std::string& subdir);
// The same for any folder (`ddm sample --out DIR`).
RunContext open_folder(const Config& cfg, const std::string& dir);

}  // namespace ddm::cli
