// The `router` section of the run configuration: `ddm train-router` (design.md section 4).
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_ROUTER_FIELDS(X)                                                                                        \
  X(RouterKind, kind, RouterKind::kMogA, kAny,                                                                      \
    "mog-a (learns alpha), mog-da (learns d alpha/dt) or sobolev (alpha with a derivative-consistency term)")       \
  X(RouterTargets, targets, RouterTargets::kLabels, kAny,                                                           \
    "exact (cross-entropy + MSE to the exact posterior over the pooled data), labels (cross-entropy on shard "      \
    "labels, no pooled data) or samples (cross-entropy on the trained experts' samples, no data); mog-a only for "  \
    "labels and samples")                                                                                           \
  X(bool, federated, false, kAny,                                                                                   \
    "torchrun: each rank is one party that reads only data.path with {rank} replaced by its rank (targets=labels, " \
    "K = WORLD_SIZE); only gradients and example counts leave a rank")                                              \
  X(int64_t, pool, 1000, (Range{1, 1e9}),                                                                           \
    "targets=samples: samples generated per expert (cached in <run>/router-pool/)")                                 \
  X(int64_t, steps, 2000, (Range{1, 1e12}), "mog-a: training steps; mog-da: stage-1 steps")                         \
  X(int64_t, stage2_steps, 1000, kNonNegative, "mog-da: stage-2 steps for each of the three interval networks")     \
  X(int, batch_size, 64, (Range{1, 1 << 20}), "router examples per step")                                           \
  X(double, lr, 1e-3, kPositive, "router learning rate (other optimiser settings: train.*)")                        \
  X(LrSchedule, lr_schedule, LrSchedule::kCosine, kAny,                                                             \
    "after one warm-up over the whole run: constant, linear or cosine decay to 0 at the last step (both stages)")   \
  X(double, ema, 0.999, kUnit,                                                                                      \
    "EMA decay of the router weights (0: off); evaluation, router-check and sampling use the EMA")                  \
  X(double, sobolev_weight, 1.0, kNonNegative,                                                                      \
    "sobolev: weight of the squared error of d alpha / d log-SNR along the exact PF-ODE")                           \
  X(double, sobolev_step, 1e-3, (Range{1e-6, 1}),                                                                   \
    "sobolev: log-SNR half-step of the central difference that forms the router's total derivative (float32, no "   \
    "bf16)")                                                                                                        \
  X(double, mse_weight, 1.0, kNonNegative,                                                                          \
    "targets=exact: weight of the MSE to the exact alpha (0: cross-entropy only)")                                  \
  X(DerivativeLoss, deriv_loss, DerivativeLoss::kRelative, kAny,                                                    \
    "mog-da: relative (error over the exact derivative's mean size at t) or mse (the paper's)")                     \
  X(double, deriv_weight, 1.0, kNonNegative, "mog-da (both stages): weight of the derivative loss")                 \
  X(VelocityScale, velocity_scale, VelocityScale::kLogSnr, kAny,                                                    \
    "mog-da logit head: none, or log-snr (the output is c per unit log-SNR, times |d log-SNR/dt|)")                 \
  X(DerivativeNet, derivative_net, DerivativeNet::kShared, kAny,                                                    \
    "mog-da: derivative head on the alpha head's encoder (shared) or on its own encoder (separate)")                \
  X(TimeSampling, t_sampling, TimeSampling::kMass, kAny,                                                            \
    "mog-da: training times uniform in each interval, or half from the exact derivative mass (mass)")               \
  X(AutoDouble, t1, AutoDouble::automatic(), (Range{0, 1}),                                                         \
    "mog-da: end of the near-data interval [t_min, t1) (auto: a third of the exact derivative mass)")               \
  X(AutoDouble, t2, AutoDouble::automatic(), (Range{0, 1}),                                                         \
    "mog-da: end of the transition interval [t1, t2) (auto: two thirds of the derivative mass)")                    \
  X(int, profile_points, 128, (Range{1, 1 << 20}),                                                                  \
    "auto bounds and loss scale: noisy points per time of the exact profile")                                       \
  X(double, holdout, 0.05, (Range{0, 0.5}), "share of examples held out for evaluation")                            \
  X(int, eval_samples, 512, (Range{1, 1 << 20}), "held-out noisy points per interval in the evaluation")            \
  X(int, channels, 0, (Range{0, 4096}), "image encoder base channels (0: model.channels)")                          \
  X(int, downsample, 1, (Range{1, 8}),                                                                              \
    "image encoder: average-pool the input by this factor first (a cheaper router)")                                \
  X(double, max_minutes, 0.0, kNonNegative,                                                                         \
    "cap on router training wall time (0: none; the run reports when it hit it)")

struct RouterConfig {
  DDM_ROUTER_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
