// The `dist` section: how a command joins a data-parallel process group when torchrun (or Slurm
// through torchrun) starts it with WORLD_SIZE > 1 (src/dist/). Without WORLD_SIZE the
// section has no effect.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_DIST_FIELDS(X)                                                                               \
  X(DistBackend, backend, DistBackend::kAuto, kAny, "c10d backend (auto: nccl on CUDA, gloo otherwise)") \
  X(int, timeout_s, 1800, (Range{1, 86400}), "seconds a collective or the rendezvous may wait for the other ranks")

struct DistConfig {
  DDM_DIST_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
