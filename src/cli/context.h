// What every command that writes results does first: resolve the device and thread count,
// create its folder (<run>/<subdir>), log there to log.txt and record config.yaml.
#pragma once
#include <torch/types.h>

#include <string>

#include "config/config.h"

namespace ddm::cli {

torch::Device resolve_device(DeviceKind kind);

struct RunContext {
  Config cfg;
  std::string dir;
  torch::Device device{torch::kCPU};
};

// `subdir`: the command's own folder inside the run ("" for the run folder itself,
// "expert-3", "router-mog-da", ...).
RunContext open_run(const Config& cfg, const std::string& subdir);
// The same for any folder (`ddm sample --out DIR`).
RunContext open_folder(const Config& cfg, const std::string& dir);

}  // namespace ddm::cli
