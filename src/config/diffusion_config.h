// The `diffusion` section of the run configuration: the forward process (design.md section 1).
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_DIFFUSION_FIELDS(X)                                                                                      \
  X(ScheduleKind, schedule, ScheduleKind::kLinear, kAny, "VP schedule: linear (continuous DDPM) or cosine")          \
  X(double, beta_min, 0.1, kPositive, "linear: beta(0) (1000 x 1e-4)")                                               \
  X(double, beta_max, 20.0, kPositive, "linear: beta(1) (1000 x 0.02)")                                              \
  X(Prediction, prediction, Prediction::kEps, kAny, "what the network predicts: eps, x0 or v")                       \
  X(double, t_min, 1e-3, (Range{1e-6, 0.5}), "smallest time delta used in training and sampling")                    \
  X(int64_t, train_timesteps, 0, (Range{0, 1e6}),                                                                    \
    "0: continuous time (ddm's networks); T: DDPM's T discrete noise levels (imported diffusers networks)")          \
  X(TimestepSpacing, timestep_spacing, TimestepSpacing::kLeading, kAny,                                              \
    "discrete: the sampling timesteps of sample.spacing=auto, as diffusers' timestep_spacing: leading, trailing or " \
    "linspace")                                                                                                      \
  X(int64_t, steps_offset, 0, (Range{0, 1e6}), "discrete: diffusers' steps_offset (added to leading timesteps)")     \
  X(bool, set_alpha_to_one, true, kAny,                                                                              \
    "discrete: the last step lands on abar = 1 (else on timestep 0's abar), as diffusers'")

struct DiffusionConfig {
  DDM_DIFFUSION_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
