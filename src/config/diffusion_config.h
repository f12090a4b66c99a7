// The `diffusion` section of the run configuration: the forward process (design.md section 1).
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_DIFFUSION_FIELDS(X)                                                                     \
  X(ScheduleKind, schedule, ScheduleKind::kLinear, kAny, "VP schedule: linear (continuous DDPM) or cosine") \
  X(double, beta_min, 0.1, kPositive, "linear: beta(0) (1000 x 1e-4)")                               \
  X(double, beta_max, 20.0, kPositive, "linear: beta(1) (1000 x 0.02)")                              \
  X(Prediction, prediction, Prediction::kEps, kAny, "what the network predicts: eps, x0 or v")       \
  X(double, t_min, 1e-3, (Range{1e-6, 0.5}), "smallest time delta used in training and sampling")

struct DiffusionConfig { DDM_DIFFUSION_FIELDS(DDM_DECLARE_FIELD) };

}  // namespace ddm
