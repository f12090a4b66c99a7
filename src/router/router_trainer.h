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
#include "router/router_evaluation.h"
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

// The training loop's end and the held-out evaluation of the router it wrote.
struct RouterRunResult : RouterEvaluation {
  LoopResult loop;
  Json to_json() const;
};

// Trains on `examples` (router_examples.h): the pooled data set with exact targets, or parties.
RouterRunResult train_router(const RouterRunOptions& opts, RouterExamples& examples);
// The examples of a data set and its manifest for router.targets: exact (the pooled data set and
// its exact posterior) or labels (the manifest's shards as parties, one process).
std::unique_ptr<RouterExamples> pooled_examples(const RouterRunOptions& opts, const Dataset& data,
                                                const ShardManifest& manifest);
RouterRunResult train_router(const RouterRunOptions& opts, const Dataset& data, const ShardManifest& manifest);

// The MoG-da derivative loss of one batch (design.md section 4): `mse` is the paper's mean squared
// error of d alpha/dt; `relative` divides each point's error, the alpha-weighted variance of
// c_hat - c, by its mean size at the point's t.
torch::Tensor derivative_loss(const RouterOut& out, const PosteriorOut& exact, const torch::Tensor& t,
                              DerivativeLoss kind, const DerivativeProfile& profile);

}  // namespace ddm
