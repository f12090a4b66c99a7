// `ddm train-router`: trains MoG-a, MoG-da or the Sobolev router (design.md section 4) on the shard labels of a
// manifest, with targets from the exact posterior, through the shared training loop
// (checkpoints, resume, metrics), data-parallel under torchrun like the experts (dist/). Ends with a
// held-out evaluation per time interval.
#pragma once
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "router/derivative_profile.h"
#include "router/exact_posterior.h"
#include "router/router.h"
#include "train/loop.h"

namespace ddm {

struct RouterRunOptions {
  Config cfg;
  std::string dir;
  torch::Device device{torch::kCPU};
  bool restart = false;
  bool progress = true;
  Dist dist;  // data parallelism (router.batch_size stays the global batch)
  std::function<void(int64_t)> after_step;
};

// Held-out figures on one time interval: cross-entropy of alpha_hat against the cluster of x_0,
// mean absolute errors (over points and clusters) of alpha_hat and d alpha/dt against the exact
// values (the logit head's derivative formed with the exact alpha; the Sobolev router's total
// derivative along the exact PF-ODE, by central difference). For MoG-da also the total
// variation to the exact alpha of alpha integrated along exact PF-ODE paths, at t_min.
struct IntervalEval {
  std::string name;
  double lo = 0, hi = 0;
  double cross_entropy = 0, alpha_mae = 0, dalpha_mae = std::nan("");
};

struct RouterRunResult {
  LoopResult loop;
  std::vector<IntervalEval> intervals;
  double integrated_tv = std::nan("");  // MoG-da only
  int integrated_steps = 0;
  // Sobolev only: the central difference's relative error against the exact JVP (double backward),
  // ||fd - jvp|| / ||jvp|| over held-out points at router.sobolev_step.
  double difference_error = std::nan("");
  Json to_json() const;
};

RouterRunResult train_router(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest);

// The evaluation alone (also used on a loaded router).
RouterRunResult evaluate_router(const Router& router, const ExactPosterior& exact, const Dataset& data,
                                const torch::Tensor& clusters, const torch::Tensor& heldout, int samples, uint64_t seed,
                                torch::Device device, double sobolev_step = 1e-3);

// The profile MoG-da trains with (auto interval bounds, loss scale): router.profile_points per
// time at 32 log-spaced times, from the training examples `indices`.
DerivativeProfile router_profile(const RouterConfig& rc, const ExactPosterior& exact, const Dataset& data,
                                 const torch::Tensor& indices, double t_min, double t_max, uint64_t seed,
                                 torch::Device device);

// The MoG-da derivative loss of one batch (design.md section 4): `mse` is the paper's mean squared
// error of d alpha/dt; `relative` divides each point's error, the alpha-weighted variance of
// c_hat - c, by its mean size at the point's t.
torch::Tensor derivative_loss(const RouterOut& out, const PosteriorOut& exact, const torch::Tensor& t,
                              DerivativeLoss kind, const DerivativeProfile& profile);

}  // namespace ddm
