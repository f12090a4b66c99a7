// K experts + an alpha source + a routing rule = one more denoiser (design.md section 5), so
// the solvers never know about experts. Per sample and step:
//   switch : D_xi, xi ~ Categorical(alpha_hat), fresh each step      (1 evaluation)
//   top1   : D_argmax alpha_hat                                     (1)
//   topk   : sum over the k largest alpha_hat_j D_j, renormalised   (k)
//   mixture: sum_k alpha_hat_k D_k                                  (K)
//   fixed  : D_xi, xi ~ Categorical(pi) drawn once per trajectory   (1)
// Dispatch groups the batch by expert, runs each expert once on its rows and scatters back.
// It also records routing statistics per step: mean entropy of alpha_hat, how often the chosen
// expert changed, and how many rows each expert served.
#pragma once
#include <torch/types.h>

#include <ATen/core/Generator.h>

#include <functional>
#include <memory>
#include <vector>

#include "config/enums.h"
#include "diffusion/solvers.h"
#include "sample/alpha_provider.h"
#include "util/json.h"

namespace ddm {

struct StepRouting {
  double t = 0;
  double entropy_sum = 0;  // of alpha_hat, summed over samples
  int64_t changes = 0;     // samples whose (top) expert differs from the previous step
  int64_t samples = 0;
  std::vector<int64_t> counts;  // rows served per expert
};

class RoutedEnsemble {
 public:
  // `alpha` may be null for `fixed` (which needs only the priors).
  RoutedEnsemble(std::vector<DenoiseFn> experts, std::shared_ptr<AlphaProvider> alpha, RoutingRule rule, int topk,
                 std::vector<double> priors, uint64_t seed);
  // New trajectories: draws `fixed` choices, resets the alpha source.
  void begin(int64_t batch, torch::Device device);
  torch::Tensor denoise(const torch::Tensor& x, double t);
  DenoiseFn as_denoiser();

  // Runs expert k on the rows where choice == k (the dispatch): one evaluation per row.
  torch::Tensor dispatch(const torch::Tensor& x, double t, const torch::Tensor& choice);
  const std::vector<StepRouting>& stats() const { return stats_; }
  Json stats_json() const;
  int64_t evaluations() const { return evaluations_; }

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
  void record(double t, const torch::Tensor& alpha, const torch::Tensor& choice);

  std::vector<DenoiseFn> experts_;
  std::shared_ptr<AlphaProvider> alpha_;
  RoutingRule rule_;
  int topk_;
  torch::Tensor priors_;
  at::Generator gen_;
  torch::Tensor fixed_, previous_;
  size_t step_ = 0;
  std::vector<StepRouting> stats_;
  int64_t evaluations_ = 0;
};

}  // namespace ddm
