// Where a router's training examples and targets come from (design.md section 4c). The trainer
// draws each step's noisy points, labels and loss weights from one of these and never sees how
// the examples are stored:
//  - ExactExamples (router.targets=exact): the pooled data set and its exact posterior;
//  - PartyExamples (labels, samples, federated): each party's own labelled examples, its shard's
//    data or an expert's samples, with no pooled data and no exact posterior.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "dist/data_parallel.h"
#include "router/exact_posterior.h"
#include "util/json.h"

namespace ddm {

// This rank's rows of one batch of noisy examples.
struct RouterBatch {
  torch::Tensor xt, t;   // x_t = a(t) x_0 + s(t) eps, and t [B]
  torch::Tensor c;       // int64 [B]: the cluster (shard, party or expert) of x_0
  torch::Tensor weight;  // float32 [B]: each row's weight in the cross-entropy (see RouterExamples::reduce)
  PosteriorOut exact;    // the exact targets, where the examples have them and the router asked
};

// What the router learns about: K, the priors pi_k, the sample shape and the data set's name.
struct ExampleInfo {
  int k = 0;
  std::vector<double> priors;
  std::vector<int64_t> sample_shape;
  std::string dataset;
  int64_t train = 0, heldout = 0;  // examples this process holds for training and evaluation
};

class RouterExamples {
 public:
  virtual ~RouterExamples() = default;
  virtual const ExampleInfo& info() const = 0;
  // How ranks' gradients and figures combine: kMean when every rank holds an equal share of the
  // batch with weights summing to 1 on each rank, kSum when the weights sum to 1 over all ranks.
  virtual GradientReduce reduce() const = 0;
  // Step `step`'s training batch, t uniform in [lo, hi). `mass_times`: half of t drawn where the
  // exact posterior moves (only examples with an exact posterior can).
  virtual RouterBatch batch(int64_t step, double lo, double hi, bool mass_times) = 0;
  // `n` held-out noisy points at t uniform in [lo, hi), from streams seeded by `seed` (the same
  // points for every call with the same arguments). `with_targets`: their exact targets too.
  virtual RouterBatch heldout(int64_t n, double lo, double hi, uint64_t seed, bool with_dalpha) = 0;
  // The exact posterior where there is one (exact targets), else null.
  virtual const ExactPosterior* posterior() const { return nullptr; }
  // The data position a checkpoint records, and its restore (with the step it was saved at).
  virtual Json position() const = 0;
  virtual void restore(const Json& position, int64_t step, const std::string& source) = 0;
  virtual std::string describe() const = 0;
};

// x_t = a(t) x_0 + s(t) eps (design.md section 1).
torch::Tensor forward_noise(const Schedule& sch, const torch::Tensor& x0, const torch::Tensor& t,
                            const torch::Tensor& eps);
// n times uniform in [lo, hi), from `gen` or the global CPU generator, on `device`.
torch::Tensor uniform_times(int64_t n, double lo, double hi, torch::Device device, at::Generator* gen = nullptr);

}  // namespace ddm
