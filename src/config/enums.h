// The project's choices, as enums with their command-line/YAML names. They live in the lowest
// layer so that configs can name them; each is used by the module named in its comment.
#pragma once
#include "config/enum_names.h"

namespace ddm {

// data/: which loader reads data.path.
enum class DatasetKind { kFashionMnist, kMnist, kCifar10, kImageFolder, kToy2d };
enum class Split { kTrain, kTest };
enum class ToyShape { kGaussians, kRings };
// data/shards: how `ddm prepare` partitions the data into K shards.
enum class ShardMethod { kLabel, kKmeans, kRandom };
// Where tensors live. auto = CUDA when LibTorch can use it, else CPU.
enum class DeviceKind { kAuto, kCpu, kCuda };
// bf16 autocast for the networks: auto is on for CUDA and off for CPUs (docs/results/bf16.md
// says why); "true"/"false" are the values of the boolean this field replaced.
enum class Bf16Mode { kAuto, kOn, kOff };
// dist/: the c10d backend of a data-parallel run. auto = NCCL for CUDA tensors, Gloo otherwise.
enum class DistBackend { kAuto, kGloo, kNccl };
// diffusion/schedule: the VP noise schedule (design.md section 1) and what a network predicts.
enum class ScheduleKind { kLinear, kCosine };
enum class Prediction { kEps, kX0, kV };
// models/: the denoiser network. auto = U-Net for images, MLP for points.
enum class ModelArch { kAuto, kUnet, kMlp };
// models/unet: the stride-2 down-sampling's padding. same: TensorFlow's SAME as DDPM used it (even
// sizes pad one pixel right and bottom; diffusers' UNet2DModel with downsample_padding 0);
// symmetric: one pixel on every side (ddm's older networks; diffusers' downsample_padding 1).
enum class DownsamplePadding { kSame, kSymmetric };
// train/: the optimiser.
enum class OptimizerKind { kAdam, kAdamW };
// router/: MoG-a learns alpha; MoG-da learns d alpha / dt in three time-interval networks.
// mog-a learns alpha; mog-da learns d alpha/dt too (three interval networks, two stages);
// sobolev learns alpha with a derivative-consistency term (design.md section 4).
enum class RouterKind { kMogA, kMogDa, kSobolev };
// The router's learning rate after its one warm-up: constant, or decaying to 0 at the last step.
enum class LrSchedule { kConstant, kLinear, kCosine };
// MoG-da's logit velocity head: c_hat as output (none), or output times |d log-SNR / dt| (c per
// unit log-SNR, so that the output stays O(1) while c spans orders of magnitude over t).
enum class VelocityScale { kNone, kLogSnr };
// MoG-da's derivative head on the alpha head's encoder (shared) or on its own (separate, the paper's).
enum class DerivativeNet { kShared, kSeparate };
// MoG-da's derivative loss: `relative` divides each point's error by the exact derivative's mean
// size at its t (the size spans orders of magnitude over t); `mse` is the paper's plain MSE.
enum class DerivativeLoss { kRelative, kMse };
// How MoG-da draws training times within an interval: uniformly, or half of them from the exact
// profile's derivative mass (where the posterior moves), half uniformly.
enum class TimeSampling { kUniform, kMass };
// diffusion/solvers: the ODE step and the time grid.
enum class SolverKind { kDdim, kEuler, kHeun, kDpmpp2m };
// leading: steps of 1/N ending at t_min, diffusers' `leading` timesteps and DDIM's `uniform` skip.
// auto: a discrete schedule's own timesteps (diffusers' timestep_spacing), else leading.
enum class Spacing { kAuto, kUniform, kLeading, kQuadratic, kLogSnr, kKarras };
// diffusers' timestep_spacing of a discrete schedule's sampling timesteps.
enum class TimestepSpacing { kLeading, kTrailing, kLinspace };
// Clipping the x0 estimate to the data range: auto = the solver's default (diffusion/solvers.h);
// "true"/"false" are the values of the boolean sample.clip_denoised this field replaced.
enum class ClipMode { kAuto, kOn, kOff };
// sample/: which expert(s) give D at each step (design.md section 5), and where alpha comes from.
enum class RoutingRule { kSwitch, kTop1, kTopK, kMixture, kFixed };
enum class AlphaSource { kRouter, kIntegrated, kIntegratedCorrected, kOracle, kSobolev };
// sample/: trained expert networks, or the exact experts D_k of the shards (design.md section 3).
enum class ExpertSource { kTrained, kExact };
// eval/: what `ddm fid` takes features with: a classifier trained on the labels (classifier-feature
// FD, not FID) or pytorch-fid's InceptionV3 (FID).
enum class FeatureKind { kClassifier, kInception };

}  // namespace ddm

DDM_ENUM_NAMES(ddm::DatasetKind, {ddm::DatasetKind::kFashionMnist, "fashion-mnist"},
               {ddm::DatasetKind::kMnist, "mnist"}, {ddm::DatasetKind::kCifar10, "cifar10"},
               {ddm::DatasetKind::kImageFolder, "image-folder"}, {ddm::DatasetKind::kToy2d, "toy2d"});
DDM_ENUM_NAMES(ddm::Split, {ddm::Split::kTrain, "train"}, {ddm::Split::kTest, "test"});
DDM_ENUM_NAMES(ddm::ToyShape, {ddm::ToyShape::kGaussians, "gaussians"}, {ddm::ToyShape::kRings, "rings"});
DDM_ENUM_NAMES(ddm::ShardMethod, {ddm::ShardMethod::kLabel, "label"}, {ddm::ShardMethod::kKmeans, "kmeans"},
               {ddm::ShardMethod::kRandom, "random"});
DDM_ENUM_NAMES(ddm::ScheduleKind, {ddm::ScheduleKind::kLinear, "linear"}, {ddm::ScheduleKind::kCosine, "cosine"});
DDM_ENUM_NAMES(ddm::Prediction, {ddm::Prediction::kEps, "eps"}, {ddm::Prediction::kX0, "x0"},
               {ddm::Prediction::kV, "v"});
DDM_ENUM_NAMES(ddm::ModelArch, {ddm::ModelArch::kAuto, "auto"}, {ddm::ModelArch::kUnet, "unet"},
               {ddm::ModelArch::kMlp, "mlp"});
DDM_ENUM_NAMES(ddm::OptimizerKind, {ddm::OptimizerKind::kAdam, "adam"}, {ddm::OptimizerKind::kAdamW, "adamw"});
DDM_ENUM_NAMES(ddm::RouterKind, {ddm::RouterKind::kMogA, "mog-a"}, {ddm::RouterKind::kMogDa, "mog-da"},
               {ddm::RouterKind::kSobolev, "sobolev"});
DDM_ENUM_NAMES(ddm::LrSchedule, {ddm::LrSchedule::kConstant, "constant"}, {ddm::LrSchedule::kLinear, "linear"},
               {ddm::LrSchedule::kCosine, "cosine"});
DDM_ENUM_NAMES(ddm::VelocityScale, {ddm::VelocityScale::kNone, "none"}, {ddm::VelocityScale::kLogSnr, "log-snr"});
DDM_ENUM_NAMES(ddm::DerivativeNet, {ddm::DerivativeNet::kShared, "shared"},
               {ddm::DerivativeNet::kSeparate, "separate"});
DDM_ENUM_NAMES(ddm::SolverKind, {ddm::SolverKind::kDdim, "ddim"}, {ddm::SolverKind::kEuler, "euler"},
               {ddm::SolverKind::kHeun, "heun"}, {ddm::SolverKind::kDpmpp2m, "dpmpp2m"});
DDM_ENUM_NAMES(ddm::TimestepSpacing, {ddm::TimestepSpacing::kLeading, "leading"},
               {ddm::TimestepSpacing::kTrailing, "trailing"}, {ddm::TimestepSpacing::kLinspace, "linspace"});
DDM_ENUM_NAMES(ddm::Spacing, {ddm::Spacing::kAuto, "auto"}, {ddm::Spacing::kUniform, "uniform"},
               {ddm::Spacing::kLeading, "leading"}, {ddm::Spacing::kQuadratic, "quadratic"},
               {ddm::Spacing::kLogSnr, "logsnr"}, {ddm::Spacing::kKarras, "karras"});
DDM_ENUM_NAMES(ddm::ClipMode, {ddm::ClipMode::kAuto, "auto"}, {ddm::ClipMode::kOn, "on"}, {ddm::ClipMode::kOff, "off"},
               {ddm::ClipMode::kOn, "true"}, {ddm::ClipMode::kOff, "false"});
DDM_ENUM_NAMES(ddm::RoutingRule, {ddm::RoutingRule::kSwitch, "switch"}, {ddm::RoutingRule::kTop1, "top1"},
               {ddm::RoutingRule::kTopK, "topk"}, {ddm::RoutingRule::kMixture, "mixture"},
               {ddm::RoutingRule::kFixed, "fixed"});
DDM_ENUM_NAMES(ddm::TimeSampling, {ddm::TimeSampling::kUniform, "uniform"}, {ddm::TimeSampling::kMass, "mass"});
DDM_ENUM_NAMES(ddm::DerivativeLoss, {ddm::DerivativeLoss::kRelative, "relative"}, {ddm::DerivativeLoss::kMse, "mse"});
DDM_ENUM_NAMES(ddm::AlphaSource, {ddm::AlphaSource::kRouter, "router"}, {ddm::AlphaSource::kIntegrated, "integrated"},
               {ddm::AlphaSource::kIntegratedCorrected, "integrated-corrected"}, {ddm::AlphaSource::kOracle, "oracle"},
               {ddm::AlphaSource::kSobolev, "sobolev"});
DDM_ENUM_NAMES(ddm::FeatureKind, {ddm::FeatureKind::kClassifier, "classifier"},
               {ddm::FeatureKind::kInception, "inception"});
DDM_ENUM_NAMES(ddm::ExpertSource, {ddm::ExpertSource::kTrained, "trained"}, {ddm::ExpertSource::kExact, "exact"});
DDM_ENUM_NAMES(ddm::DeviceKind, {ddm::DeviceKind::kAuto, "auto"}, {ddm::DeviceKind::kCpu, "cpu"},
               {ddm::DeviceKind::kCuda, "cuda"});
DDM_ENUM_NAMES(ddm::Bf16Mode, {ddm::Bf16Mode::kAuto, "auto"}, {ddm::Bf16Mode::kOn, "on"}, {ddm::Bf16Mode::kOff, "off"},
               {ddm::Bf16Mode::kAuto, "true"}, {ddm::Bf16Mode::kOff, "false"});
DDM_ENUM_NAMES(ddm::DownsamplePadding, {ddm::DownsamplePadding::kSame, "same"},
               {ddm::DownsamplePadding::kSymmetric, "symmetric"});
DDM_ENUM_NAMES(ddm::DistBackend, {ddm::DistBackend::kAuto, "auto"}, {ddm::DistBackend::kGloo, "gloo"},
               {ddm::DistBackend::kNccl, "nccl"});
