// router.targets=exact: noisy points of the pooled data set, labelled with their shard, and the
// exact posterior over all of it as the target (design.md sections 3 and 4c). Under torchrun
// every rank holds the whole data set and keeps an equal share of each global batch (dist/).
#pragma once
#include <memory>

#include "config/router_config.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "router/derivative_profile.h"
#include "router/router_examples.h"
#include "train/batch_stream.h"

namespace ddm {

struct ExactExampleOptions {
  int64_t batch = 64;     // the global batch
  double holdout = 0.05;  // share of examples held out
  uint64_t seed = 0;
  bool targets = true;       // compute the exact alpha for each batch (router.mse_weight > 0, MoG-da, Sobolev)
  bool with_dalpha = false;  // and d alpha/dt along the exact PF-ODE (MoG-da, Sobolev)
  Dist dist;
  torch::Device device{torch::kCPU};
};

class ExactExamples : public RouterExamples {
 public:
  ExactExamples(const Dataset& data, const ShardManifest& manifest, const Schedule& sch, ExactExampleOptions opt);

  const ExampleInfo& info() const override { return info_; }
  GradientReduce reduce() const override { return GradientReduce::kMean; }
  RouterBatch batch(int64_t step, double lo, double hi, bool mass_times) override;
  RouterBatch heldout(int64_t n, double lo, double hi, uint64_t seed, bool with_dalpha) override;
  const ExactPosterior* posterior() const override { return &exact_; }
  Json position() const override { return stream_->state(); }
  void restore(const Json& position, int64_t step, const std::string& source) override;
  std::string describe() const override;

  // MoG-da: the exact profile on training examples (auto bounds, loss scale, mass times).
  const DerivativeProfile& make_profile(int points, double t_min, double t_max);
  const DerivativeProfile& profile() const { return profile_; }

 private:
  const Dataset& data_;
  Schedule sch_;
  ExactExampleOptions opt_;
  ExampleInfo info_;
  torch::Tensor clusters_, heldout_, train_idx_;
  ExactPosterior exact_;
  DerivativeProfile profile_;
  std::unique_ptr<BatchStream> stream_;
  BatchShare share_;
};

}  // namespace ddm
