// The `sample` section of the run configuration: `ddm sample` (design.md section 5).
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_SAMPLE_FIELDS(X)                                                                                          \
  X(int, steps, 50, (Range{1, 100000}), "ODE steps N")                                                                \
  X(SolverKind, solver, SolverKind::kDpmpp2m, kAny,                                                                   \
    "dpmpp2m (DPM-Solver++(2M), the measured best), ddim, euler or heun (2nd order)")                                 \
  X(Spacing, spacing, Spacing::kAuto, kAny,                                                                           \
    "time grid: auto (a discrete schedule's own timesteps, else leading), leading (steps of 1/N ending at t_min, "    \
    "as diffusers'), uniform (t_max to t_min), quadratic, logsnr or karras (rho = 7)")                                \
  X(RoutingRule, rule, RoutingRule::kSwitch, kAny, "switch, top1, topk, mixture or fixed")                            \
  X(int, topk, 2, (Range{1, 100000}), "topk: experts per step")                                                       \
  X(AlphaSource, alpha, AlphaSource::kRouter, kAny,                                                                   \
    "router (MoG-a), sobolev (the Sobolev router), integrated (MoG-da, logit space), integrated-corrected "           \
    "or oracle (exact)")                                                                                              \
  X(double, correction, 5.0, kNonNegative,                                                                            \
    "integrated-corrected: rate (per unit t) pulling the integrated logits toward MoG-da's alpha head")               \
  X(ExpertSource, experts, ExpertSource::kTrained, kAny,                                                              \
    "trained expert networks, or exact (the shards' posterior means)")                                                \
  X(bool, baseline, false, kAny, "sample the single expert trained on all data (no routing)")                         \
  X(int, expert, -1, (Range{-1, 100000}), "sample expert k alone, no routing (-1: all experts, routed)")              \
  X(int64_t, num, 64, (Range{1, 1e9}), "number of samples")                                                           \
  X(int, batch_size, 256, (Range{1, 1 << 20}), "samples generated at once")                                           \
  X(int64_t, seed, 0, kNonNegative, "seed of the initial noise and of the routing draws")                             \
  X(std::string, out, "", kAny, "output folder (empty: <run>/samples/<rule>-<alpha>-<steps>)")                        \
  X(bool, images, true, kAny, "write one PNG per sample (image data)")                                                \
  X(ClipMode, clip_x0, ClipMode::kAuto, kAny,                                                                         \
    "images: clip the x0 estimate to [-1, 1] inside the step (the noise direction keeps the raw D): ddim in its "     \
    "data term (diffusers' clip_sample), dpmpp2m its data prediction (thresholding), euler its velocity's data "      \
    "term, heun the DDIM part of its step; auto = each solver's measured default (on for all four); the final image " \
    "is clamped always")                                                                                              \
  X(std::string, noise, "", kAny, "a float32 .npy [num, C, H, W] (or [num, D]): x at t_max, instead of drawn noise")  \
  X(bool, save_noise, false, kAny, "write the initial noise drawn to <out>/noise.npy (sample.noise's format)")        \
  X(Bf16Mode, bf16, Bf16Mode::kAuto, kAny,                                                                            \
    "bf16 autocast for the networks (the solver stays fp32): auto (CUDA only), on, off")                              \
  X(bool, channels_last, true, kAny, "channels-last memory format on CUDA, and on CPUs with sample.bf16")

struct SampleConfig {
  DDM_SAMPLE_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
