// The `run` section of the run configuration: where results go and what executes them.
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_RUN_FIELDS(X)                                                 \
  X(std::string, dir, "", kAny, "run folder (empty: runs/<config name>)") \
  X(DeviceKind, device, DeviceKind::kAuto, kAny, "device for tensors")    \
  X(int, threads, 0, (Range{0, 1024}), "CPU threads for LibTorch (0: its default)")

struct RunConfig {
  DDM_RUN_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
