// `ddm train-router`: trains MoG-a, MoG-da or the Sobolev router (design.md section 4) on labelled noisy
// examples from a RouterExamples source (the exact posterior, shard labels alone, or the experts'
// samples: design.md section 4c), through the shared training loop
// (checkpoints, resume, metrics), data-parallel under torchrun like the experts (dist/). Ends with a
// held-out evaluation per time interval.
#pragma once
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "router/derivative_profile.h"
#include "router/exact_posterior.h"
#include "router/router.h"
#include "router/router_examples.h"
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
// and with exact targets only (NaN otherwise) mean absolute errors (over points and clusters) of alpha_hat and d
// alpha/dt against the exact values (the logit head's derivative formed with the exact alpha; the Sobolev router's
// total derivative along the exact PF-ODE, by central difference). For MoG-da also the total variation to the exact
// alpha of alpha integrated along exact PF-ODE paths, at t_min.
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

// Trains on `examples` (router_examples.h): the pooled data set with exact targets, or parties.
RouterRunResult train_router(const RouterRunOptions& opts, RouterExamples& examples);
// The examples of a data set and its manifest for router.targets: exact (the pooled data set and
// its exact posterior) or labels (the manifest's shards as parties, one process).
std::unique_ptr<RouterExamples> pooled_examples(const RouterRunOptions& opts, const Dataset& data,
                                                const ShardManifest& manifest);
RouterRunResult train_router(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest);

// The evaluation alone (also used on a loaded router): held-out cross-entropy per interval, and
// where the examples have the exact posterior, the alpha and derivative errors and MoG-da's
// integrated alpha.
RouterRunResult evaluate_router(const Router& router, RouterExamples& examples, int samples, uint64_t seed,
                                const Dist& dist, torch::Device device, double sobolev_step = 1e-3);

// The MoG-da derivative loss of one batch (design.md section 4): `mse` is the paper's mean squared
// error of d alpha/dt; `relative` divides each point's error, the alpha-weighted variance of
// c_hat - c, by its mean size at the point's t.
torch::Tensor derivative_loss(const RouterOut& out, const PosteriorOut& exact, const torch::Tensor& t,
                              DerivativeLoss kind, const DerivativeProfile& profile);

}  // namespace ddm
