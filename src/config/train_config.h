// The `train` section of the run configuration: expert (and later router) training.
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_TRAIN_FIELDS(X)                                                                                         \
  X(int64_t, steps, 100000, (Range{1, 1e12}), "optimiser steps")                                                    \
  X(int, batch_size, 128, (Range{1, 1 << 20}), "examples per step")                                                 \
  X(OptimizerKind, optimizer, OptimizerKind::kAdam, kAny, "adam or adamw (decoupled weight decay)")                 \
  X(double, lr, 2e-4, kPositive, "peak learning rate")                                                              \
  X(int64_t, warmup, 5000, kNonNegative, "linear learning-rate warm-up steps")                                      \
  X(double, beta1, 0.9, (Range{0, 0.999999}), "Adam beta1")                                                         \
  X(double, beta2, 0.999, (Range{0, 0.999999}), "Adam beta2")                                                       \
  X(double, adam_eps, 1e-8, kPositive, "Adam epsilon")                                                              \
  X(double, weight_decay, 0.0, kNonNegative, "weight decay (L2 for adam, decoupled for adamw)")                     \
  X(double, grad_clip, 1.0, kNonNegative, "clip the global gradient norm to this (0: off)")                         \
  X(double, ema_decay, 0.9999, kUnit, "EMA of the weights (0: off)")                                                \
  X(int64_t, seed, 0, kNonNegative, "seed of initialisation, data order and noise")                                 \
  X(int64_t, log_every, 50, (Range{1, 1e12}), "steps between metrics.jsonl lines")                                  \
  X(int64_t, checkpoint_every, 2000, (Range{1, 1e12}), "steps between checkpoints")                                 \
  X(int, keep_checkpoints, 3, (Range{1, 1000}), "how many recent checkpoints to keep")                              \
  X(int64_t, preview_every, 0, kNonNegative, "steps between preview grids (0: only at the end)")                    \
  X(int, preview_count, 64, (Range{0, 4096}), "samples in a preview grid (0: none)")                                \
  X(int, preview_steps, 50, (Range{1, 10000}), "steps of a preview, with the sampler's default solver (dpmpp2m)")   \
  X(double, max_minutes, 0.0, kNonNegative, "stop (with a checkpoint) after this wall time (0: no limit)")          \
  X(Bf16Mode, bf16, Bf16Mode::kAuto, kAny, "bf16 autocast (fp32 weights and optimiser): auto (CUDA only), on, off") \
  X(bool, channels_last, true, kAny, "CUDA: channels-last memory format")

struct TrainConfig {
  DDM_TRAIN_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
