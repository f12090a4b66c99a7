// K experts + an alpha source + a routing rule = one more denoiser (design.md section 5), so
// the solvers never know about experts. Per sample and step:
//   switch : D_xi, xi ~ Categorical(alpha_hat), fresh each step      (1 evaluation)
//   top1   : D_argmax alpha_hat                                     (1)
//   topk   : sum over the k largest alpha_hat_j D_j, renormalised   (k)
//   mixture: sum_k alpha_hat_k D_k                                  (K)
//   fixed  : D_xi, xi ~ Categorical(pi) drawn once per trajectory   (1)
// Dispatch groups the batch by expert, runs each expert once on its rows and scatters back.
// Per solver step (diffusion/solvers.h's contract): switch draws, and the alpha source advances,
// at the step's start point only, so a solver that evaluates D twice in a step (Heun) keeps one
// expert per sample for the whole step; the deterministic rules (top1, topk, mixture) read alpha
// afresh at every evaluation, since alpha is a function of (x, t). Statistics are one entry per
// step (N), taken at the start point: mean entropy of alpha_hat, how
// often the chosen expert changed, how many rows each expert served.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "config/enums.h"
#include "diffusion/solvers.h"
#include "sample/alpha_provider.h"
#include "util/json.h"

namespace ddm {

struct StepRouting {
  int step = 0;
  double t = 0;            // the step's start point t_n
  bool has_alpha = false;  // false for `fixed`
  double entropy_sum = 0;  // of alpha_hat, summed over samples
  int64_t changes = 0;     // samples whose (top) expert differs from the previous step
  int64_t samples = 0;
  std::vector<int64_t> counts;  // rows served per expert
  std::optional<double> mean_entropy() const;
  std::optional<double> switch_rate() const;  // none at step 0
};
// summary.json's "routing": one object per step.
Json routing_json(const std::vector<StepRouting>& stats);

class RoutedEnsemble {
 public:
  // `alpha` may be null for `fixed` (which needs only the priors).
  RoutedEnsemble(std::vector<DenoiseFn> experts, std::shared_ptr<AlphaProvider> alpha, RoutingRule rule, int topk,
                 std::vector<double> priors, uint64_t seed);
  // New trajectories for batch number `batch_index`: the routing generator restarts from
  // (seed, batch_index), so a batch routes the same whichever process or rank samples it; draws
  // `fixed` choices, resets the alpha source.
  void begin(int64_t batch, torch::Device device, int64_t batch_index);
  torch::Tensor denoise(const torch::Tensor& x, double t, const StepPoint& step);
  StepDenoiseFn as_denoiser();

  // Runs expert k on the rows where choice == k (the dispatch): one evaluation per row.
  torch::Tensor dispatch(const torch::Tensor& x, double t, const torch::Tensor& choice);
  const std::vector<StepRouting>& stats() const { return stats_; }
  int64_t evaluations() const { return evaluations_; }
  // Rows each expert evaluated, over all steps and batches.
  const std::vector<int64_t>& expert_evaluations() const { return expert_evaluations_; }

 private:
  struct Group {
    size_t k;            // expert
    torch::Tensor rows;  // its rows of the batch, on x's device
    torch::Tensor d;     // its (finished) output on those rows
  };
  std::vector<Group> groups(const torch::Tensor& member, const torch::Device& device) const;
  // Runs each group's expert (concurrently on a multi-threaded CPU), then `finish` on its output.
  void run(std::vector<Group>& groups, const torch::Tensor& x, double t,
           const std::function<torch::Tensor(const Group&, torch::Tensor)>& finish);
  torch::Tensor weighted(const torch::Tensor& x, double t, const torch::Tensor& weights);  // sum_k w_k D_k
  torch::Tensor topk_weights(const torch::Tensor& alpha) const;
  // At a step's start point: the step's choice (drawn for switch) and its statistics.
  void start_step(const StepPoint& step, const torch::Tensor& alpha, int64_t batch);
  void record(const StepPoint& step, const torch::Tensor& alpha, const torch::Tensor& choice);

  std::vector<DenoiseFn> experts_;
  std::shared_ptr<AlphaProvider> alpha_;
  RoutingRule rule_;
  int topk_;
  torch::Tensor priors_;
  uint64_t seed_;
  at::Generator gen_;
  torch::Tensor fixed_, previous_;
  torch::Tensor choice_;  // the current step's expert per row (switch, fixed)
  int step_ = -1;         // the current step (its start point seen)
  std::vector<StepRouting> stats_;
  int64_t evaluations_ = 0;
  std::vector<int64_t> expert_evaluations_;
};

}  // namespace ddm
