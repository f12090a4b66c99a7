// Typed run configuration. Each field is declared exactly once, in the X-macro lists below
// (type, name, default, check, help); the same lists generate the structs, the field table that
// reads YAML and `--set key.path=value`, the validation and the resolved-config dump.
// Precedence: defaults < YAML file < command line.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "config/enums.h"
#include "util/json.h"

namespace ddm {

using IntList = std::vector<int>;
using DoubleList = std::vector<double>;
// A number, or `auto` (computed when the run starts and recorded in its outputs).
struct AutoDouble {
  bool is_auto = true;
  double value = 0;
  static AutoDouble automatic() { return {}; }
  static AutoDouble of(double v) { return {false, v}; }
  bool operator==(const AutoDouble&) const = default;
};

// A field's check: numbers must lie in [lo, hi]; other types ignore it.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
};
inline constexpr Range kAny{};
inline constexpr Range kPositive{1e-300, std::numeric_limits<double>::infinity()};
inline constexpr Range kNonNegative{0, std::numeric_limits<double>::infinity()};
inline constexpr Range kUnit{0, 1};

// ---- data: which data set, and how it is read ------------------------------------------------
#define DDM_DATA_FIELDS(X)                                                                          \
  X(DatasetKind, dataset, DatasetKind::kFashionMnist, kAny, "data set kind")                         \
  X(std::string, path, "/usr/share/datasets/fashion-mnist", kAny,                                    \
    "folder holding the data set files (IDX, CIFAR-10 .bin, or images)")                             \
  X(Split, split, Split::kTrain, kAny, "which split to read (IDX and CIFAR-10)")                     \
  X(int, resolution, 0, (Range{0, 4096}), "image-folder: resize and centre-crop to this size")       \
  X(int, channels, 3, (Range{1, 3}), "image-folder: 1 (grey) or 3 (RGB)")                            \
  X(int, pad, 0, (Range{0, 64}), "zero pixels added on each side (2 turns 28x28 into 32x32)")        \
  X(int64_t, limit, 0, kNonNegative, "use only the first N examples (0: all)")                       \
  X(std::string, labels, "", kAny,                                                                   \
    "image-folder: label file ('<file> <label>' lines, or CelebA's attribute table)")                \
  X(std::string, attribute, "", kAny, "image-folder: attribute column used as a 0/1 label")          \
  X(ToyShape, toy_shape, ToyShape::kGaussians, kAny, "toy2d: K Gaussians on a circle, or K rings")   \
  X(int, toy_components, 8, (Range{1, 1000}), "toy2d: number of mixture components K")              \
  X(int64_t, toy_samples, 4000, (Range{1, 1e8}), "toy2d: number of points")                          \
  X(double, toy_radius, 1.0, kPositive, "toy2d: circle radius (Gaussians) or outer ring radius")     \
  X(double, toy_std, 0.05, kPositive, "toy2d: standard deviation of each component")                 \
  X(int64_t, toy_seed, 0, kNonNegative, "toy2d: seed of the point sampler")

// ---- shards: `ddm prepare` ---------------------------------------------------------------------
#define DDM_SHARDS_FIELDS(X)                                                                        \
  X(int, k, 10, (Range{1, 100000}), "number of shards (experts) K")                                  \
  X(ShardMethod, method, ShardMethod::kLabel, kAny, "partition by label, k-means or at random")      \
  X(std::string, features, "", kAny, "k-means on this .npy feature file (N x F) instead of pixels")  \
  X(bool, balanced, false, kAny, "k-means: equal-size clusters (balanced assignment)")               \
  X(int64_t, seed, 0, kNonNegative, "seed for k-means initialisation and random shards")             \
  X(int, kmeans_iters, 50, (Range{1, 10000}), "k-means: maximum Lloyd iterations")

// ---- diffusion: the forward process (design.md section 1) -----------------------------------------
#define DDM_DIFFUSION_FIELDS(X)                                                                     \
  X(ScheduleKind, schedule, ScheduleKind::kLinear, kAny, "VP schedule: linear (continuous DDPM) or cosine") \
  X(double, beta_min, 0.1, kPositive, "linear: beta(0) (1000 x 1e-4)")                               \
  X(double, beta_max, 20.0, kPositive, "linear: beta(1) (1000 x 0.02)")                              \
  X(Prediction, prediction, Prediction::kEps, kAny, "what the network predicts: eps, x0 or v")       \
  X(double, t_min, 1e-3, (Range{1e-6, 0.5}), "smallest time delta used in training and sampling")

// ---- model: the denoiser network ---------------------------------------------------------------
#define DDM_MODEL_FIELDS(X)                                                                         \
  X(ModelArch, arch, ModelArch::kAuto, kAny, "network: unet (images), mlp (points); auto picks by data") \
  X(int, channels, 128, (Range{1, 4096}), "unet: base channels")                                     \
  X(IntList, channel_mult, (IntList{1, 2, 2, 2}), (Range{1, 64}), "unet: channel multiplier per level") \
  X(int, num_res_blocks, 2, (Range{1, 64}), "unet: residual blocks per level")                        \
  X(IntList, attn_resolutions, (IntList{16}), (Range{1, 4096}), "unet: feature-map sizes with self-attention") \
  X(double, dropout, 0.1, (Range{0, 0.99}), "dropout in residual blocks")                             \
  X(int, groups, 32, (Range{1, 1024}), "unet: GroupNorm groups")                                      \
  X(int, mlp_width, 256, (Range{1, 65536}), "mlp: hidden width")                                      \
  X(int, mlp_depth, 4, (Range{1, 64}), "mlp: hidden layers")

// ---- train: expert (and later router) training ---------------------------------------------------
#define DDM_TRAIN_FIELDS(X)                                                                         \
  X(int64_t, steps, 100000, (Range{1, 1e12}), "optimiser steps")                                      \
  X(int, batch_size, 128, (Range{1, 1 << 20}), "examples per step")                                   \
  X(OptimizerKind, optimizer, OptimizerKind::kAdam, kAny, "adam or adamw (decoupled weight decay)")  \
  X(double, lr, 2e-4, kPositive, "peak learning rate")                                                \
  X(int64_t, warmup, 5000, kNonNegative, "linear learning-rate warm-up steps")                        \
  X(double, beta1, 0.9, (Range{0, 0.999999}), "Adam beta1")                                           \
  X(double, beta2, 0.999, (Range{0, 0.999999}), "Adam beta2")                                         \
  X(double, adam_eps, 1e-8, kPositive, "Adam epsilon")                                                \
  X(double, weight_decay, 0.0, kNonNegative, "weight decay (L2 for adam, decoupled for adamw)")        \
  X(double, grad_clip, 1.0, kNonNegative, "clip the global gradient norm to this (0: off)")          \
  X(double, ema_decay, 0.9999, kUnit, "EMA of the weights (0: off)")                                  \
  X(int64_t, seed, 0, kNonNegative, "seed of initialisation, data order and noise")                  \
  X(int64_t, log_every, 50, (Range{1, 1e12}), "steps between metrics.jsonl lines")                    \
  X(int64_t, checkpoint_every, 2000, (Range{1, 1e12}), "steps between checkpoints")                   \
  X(int, keep_checkpoints, 3, (Range{1, 1000}), "how many recent checkpoints to keep")                \
  X(int64_t, preview_every, 0, kNonNegative, "steps between preview grids (0: only at the end)")      \
  X(int, preview_count, 64, (Range{0, 4096}), "samples in a preview grid (0: none)")                  \
  X(int, preview_steps, 50, (Range{1, 10000}), "DDIM steps of a preview")                             \
  X(double, max_minutes, 0.0, kNonNegative, "stop (with a checkpoint) after this wall time (0: no limit)") \
  X(bool, bf16, true, kAny, "CUDA: bf16 autocast")                                                   \
  X(bool, channels_last, true, kAny, "CUDA: channels-last memory format")

// ---- router: `ddm train-router` (design.md section 4) ------------------------------------------------
#define DDM_ROUTER_FIELDS(X)                                                                        \
  X(RouterKind, kind, RouterKind::kMogA, kAny, "mog-a (learns alpha) or mog-da (learns d alpha/dt)") \
  X(int64_t, steps, 2000, (Range{1, 1e12}), "mog-a: training steps; mog-da: stage-1 steps")          \
  X(int64_t, stage2_steps, 1000, kNonNegative, "mog-da: stage-2 steps for each of the three interval networks") \
  X(int, batch_size, 64, (Range{1, 1 << 20}), "router examples per step")                            \
  X(double, lr, 1e-3, kPositive, "router learning rate (other optimiser settings: train.*)")          \
  X(double, mse_weight, 1.0, kNonNegative, "weight of the MSE to the exact alpha (0: cross-entropy only)") \
  X(DerivativeHead, derivative, DerivativeHead::kLogit, kAny,                                         \
    "mog-da head: logit (predicts the logit velocity c, integrated in logit space) or raw (d alpha/dt)") \
  X(DerivativeLoss, deriv_loss, DerivativeLoss::kRelative, kAny,                                      \
    "mog-da: relative (error over the exact derivative's mean size at t) or mse (the paper's)")      \
  X(double, deriv_weight, 1.0, kNonNegative, "mog-da (both stages): weight of the derivative loss")  \
  X(TimeSampling, t_sampling, TimeSampling::kMass, kAny,                                           \
    "mog-da: training times uniform in each interval, or half from the exact derivative mass (mass)") \
  X(AutoDouble, t1, AutoDouble::automatic(), (Range{0, 1}),                                           \
    "mog-da: end of the near-data interval [t_min, t1) (auto: a third of the exact derivative mass)") \
  X(AutoDouble, t2, AutoDouble::automatic(), (Range{0, 1}),                                           \
    "mog-da: end of the transition interval [t1, t2) (auto: two thirds of the derivative mass)")     \
  X(int, profile_points, 128, (Range{1, 1 << 20}), "auto bounds and loss scale: noisy points per time of the exact profile") \
  X(double, holdout, 0.05, (Range{0, 0.5}), "share of examples held out for evaluation")              \
  X(int, eval_samples, 512, (Range{1, 1 << 20}), "held-out noisy points per interval in the evaluation") \
  X(int, channels, 0, (Range{0, 4096}), "image encoder base channels (0: model.channels)")          \
  X(int, downsample, 1, (Range{1, 8}), "image encoder: average-pool the input by this factor first (a cheaper router)") \
  X(double, max_minutes, 0.0, kNonNegative, "cap on router training wall time (0: none; the run reports when it hit it)")

// ---- sample: `ddm sample` (design.md section 5) ----------------------------------------------------
#define DDM_SAMPLE_FIELDS(X)                                                                        \
  X(int, steps, 50, (Range{1, 100000}), "ODE steps N")                                               \
  X(SolverKind, solver, SolverKind::kDdim, kAny, "ddim, euler, heun (2nd order) or dpmpp2m (DPM-Solver++(2M))") \
  X(Spacing, spacing, Spacing::kUniform, kAny, "time grid: uniform, quadratic, logsnr or karras (rho = 7)")   \
  X(RoutingRule, rule, RoutingRule::kSwitch, kAny, "switch, top1, topk, mixture or fixed")           \
  X(int, topk, 2, (Range{1, 100000}), "topk: experts per step")                                      \
  X(AlphaSource, alpha, AlphaSource::kRouter, kAny,                                                   \
    "router (MoG-a), integrated (MoG-da, logit space), integrated-corrected, integrated-raw or oracle (exact)") \
  X(double, correction, 5.0, kNonNegative,                                                            \
    "integrated-corrected: rate (per unit t) pulling the integrated logits toward MoG-da's alpha head") \
  X(ExpertSource, experts, ExpertSource::kTrained, kAny, "trained expert networks, or exact (the shards' posterior means)") \
  X(bool, baseline, false, kAny, "sample the single expert trained on all data (no routing)")        \
  X(int, expert, -1, (Range{-1, 100000}), "sample expert k alone, no routing (-1: all experts, routed)") \
  X(int64_t, num, 64, (Range{1, 1e9}), "number of samples")                                           \
  X(int, batch_size, 256, (Range{1, 1 << 20}), "samples generated at once")                           \
  X(int64_t, seed, 0, kNonNegative, "seed of the initial noise and of the routing draws")             \
  X(std::string, out, "", kAny, "output folder (empty: <run>/samples/<rule>-<alpha>-<steps>)")       \
  X(bool, images, true, kAny, "write one PNG per sample (image data)")                                \
  X(bool, clip_denoised, true, kAny, "images: clamp each expert's D to [-1, 1] (DDPM's clip_denoised)") \
  X(bool, bf16, true, kAny, "CUDA: bf16 autocast for the networks")                                 \
  X(bool, channels_last, true, kAny, "CUDA: channels-last memory format")

// ---- eval: `ddm trajectory`, `ddm evaluate` and friends (design.md section 7) ----------------------------------------
#define DDM_EVAL_FIELDS(X)                                                                          \
  X(IntList, trajectory_steps, (IntList{5, 10, 20, 50, 100, 200}), (Range{1, 100000}), "trajectory: step counts N") \
  X(int, reference_steps, 1000, (Range{2, 1000000}), "trajectory: steps of the reference run")        \
  X(IntList, table_steps, (IntList{10, 25, 50, 100}), (Range{1, 100000}), "evaluate: step counts N (columns)") \
  X(std::string, table_rows, "baseline,fixed,top1-router,switch-router,switch-integrated,mixture-router", kAny, \
    "evaluate: rows, each baseline, fixed or <rule>-<alpha>")                                       \
  X(int64_t, samples, 1000, (Range{2, 1e9}), "evaluate: samples per row and N")                     \
  X(int, seeds, 1, (Range{1, 1000}), "evaluate: seeds per cell (sample.seed, +1, ...); the table gives mean and spread") \
  X(int64_t, classifier_steps, 1500, (Range{1, 1e9}), "feature classifier: training steps when it must be trained") \
  X(std::string, inception_weights, "", kAny, "fid: pytorch-fid's pt_inception-2015-12-05-6726825d.pth (or its .npz conversion)")

// ---- run: where results go and what executes them ------------------------------------------------
#define DDM_RUN_FIELDS(X)                                                                           \
  X(std::string, dir, "", kAny, "run folder (empty: runs/<config name>)")                            \
  X(DeviceKind, device, DeviceKind::kAuto, kAny, "device for tensors")                               \
  X(int, threads, 0, (Range{0, 1024}), "CPU threads for LibTorch (0: its default)")

#define DDM_CONFIG_SECTIONS(S)                                                                     \
  S(data, DataConfig, DDM_DATA_FIELDS) S(shards, ShardsConfig, DDM_SHARDS_FIELDS)                     \
  S(diffusion, DiffusionConfig, DDM_DIFFUSION_FIELDS) S(model, ModelConfig, DDM_MODEL_FIELDS)          \
  S(train, TrainConfig, DDM_TRAIN_FIELDS) S(router, RouterConfig, DDM_ROUTER_FIELDS)       \
  S(sample, SampleConfig, DDM_SAMPLE_FIELDS) S(eval, EvalConfig, DDM_EVAL_FIELDS) S(run, RunConfig, DDM_RUN_FIELDS)

#define DDM_DECLARE_FIELD(type, name, def, check, help) type name = def;
struct DataConfig { DDM_DATA_FIELDS(DDM_DECLARE_FIELD) };
struct ShardsConfig { DDM_SHARDS_FIELDS(DDM_DECLARE_FIELD) };
struct DiffusionConfig { DDM_DIFFUSION_FIELDS(DDM_DECLARE_FIELD) };
struct ModelConfig { DDM_MODEL_FIELDS(DDM_DECLARE_FIELD) };
struct TrainConfig { DDM_TRAIN_FIELDS(DDM_DECLARE_FIELD) };
struct RouterConfig { DDM_ROUTER_FIELDS(DDM_DECLARE_FIELD) };
struct SampleConfig { DDM_SAMPLE_FIELDS(DDM_DECLARE_FIELD) };
struct EvalConfig { DDM_EVAL_FIELDS(DDM_DECLARE_FIELD) };
struct RunConfig { DDM_RUN_FIELDS(DDM_DECLARE_FIELD) };
#undef DDM_DECLARE_FIELD

struct Config {
  std::string name = "default";  // the config file's stem; names the default run folder
  std::string source;            // the YAML file it came from ("" for defaults)
#define DDM_DECLARE_SECTION(sec, Type, FIELDS) Type sec;
  DDM_CONFIG_SECTIONS(DDM_DECLARE_SECTION)
#undef DDM_DECLARE_SECTION

  std::string run_dir() const;  // run.dir, or runs/<name>
};

// One row of the field table.
struct ConfigField {
  std::string key;        // "data.path"
  std::string type_name;  // "int", "path", "one of: a, b"
  std::string help;
  std::function<void(Config&, const std::string&)> set;  // parses and range-checks; throws Error
  std::function<Json(const Config&)> get;                 // the value (strings, numbers, lists)
};

const std::vector<ConfigField>& config_fields();

// Defaults, then the YAML file (if `path` is not empty), then each "key.path=value" override.
// Errors name the file:line and key path, or the --set argument.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
void apply_override(Config& cfg, const std::string& assignment);
// Cross-field checks (run after all sources are applied).
void validate(const Config& cfg);
// The resolved configuration as YAML with each field's help as a comment.
std::string dump_config(const Config& cfg);
// Writes <dir>/config.yaml atomically (every run records what it ran with).
void write_resolved_config(const Config& cfg, const std::string& dir);
// The configuration as nested JSON ({"data": {...}, ...}) for checkpoints and summaries, and back
// (keys unknown to this version are errors naming `source`).
Json config_to_json(const Config& cfg);
Config config_from_json(const Json& j, const std::string& source);
// "  data.path (path, default ...): help" lines for `ddm <command> --help` and the README.
std::string describe_config_fields();

}  // namespace ddm
