// Exact posterior quantities for a finite data set (design.md section 3): the oracle router,
// the training targets of MoG-a and MoG-da, exact experts for tests and `ddm theory`.
//   l_i = -||x - a x_i||^2 / (2 s^2),  r = softmax_i(l),  alpha_k = sum_{i in C_k} r_i,
//   D = sum_i r_i x_i,  D_k = softmax over C_k of l, applied to the x_i of C_k,
//   dalpha_k/dt = sum_{i in C_k} r_i (dl_i/dt - sum_j r_j dl_j/dt) along dx/dt = u,
//   c_k = sum_{i in C_k} r_i dl_i/dt / alpha_k (the logit velocity: dalpha_k/dt = alpha_k (c_k - <alpha, c>)).
// Distances come from one matrix product per batch (||x||^2 - 2 a x.x_i + a^2 ||x_i||^2) and
// every softmax is a log-sum-exp. Batches are cut into chunks so [B, N] stays bounded.
#pragma once
#include <torch/types.h>

#include <vector>

#include "diffusion/schedule.h"

namespace ddm {

struct Dataset;
struct ShardManifest;

struct PosteriorOut {
  torch::Tensor alpha;     // [B, K]
  torch::Tensor denoised;  // [B, ...] (D)
  torch::Tensor dalpha;    // [B, K] (only when asked)
  torch::Tensor velocity;  // [B, K] logit velocity c (with dalpha); finite even where alpha_k underflows
};

class ExactPosterior {
 public:
  // points: [N, ...] in model space; clusters: int64 [N] in 0..k-1.
  ExactPosterior(const torch::Tensor& points, const torch::Tensor& clusters, int k, const Schedule& sch,
                 torch::Dtype dtype = torch::kFloat64, torch::Device device = torch::kCPU);

  // x: [B, ...], t: [B] (per-sample times). With `with_dalpha`, the derivative along u
  // (undefined u: along the exact PF-ODE velocity v = a' D + s' (x - a D) / s).
  PosteriorOut compute(const torch::Tensor& x, const torch::Tensor& t, bool with_dalpha = false,
                       const torch::Tensor& u = {}) const;
  torch::Tensor alpha(const torch::Tensor& x, double t) const;
  torch::Tensor denoise(const torch::Tensor& x, double t) const;
  // Expert k's exact denoiser D_k (the posterior mean under cluster k's points alone).
  torch::Tensor denoise_k(const torch::Tensor& x, double t, int k) const;
  torch::Tensor velocity(const torch::Tensor& x, double t) const;

  int k() const { return k_; }
  int64_t size() const { return x_.size(0); }
  const Schedule& schedule() const { return sch_; }
  const torch::Tensor& clusters() const { return clusters_; }
  const std::vector<int64_t>& sample_shape() const { return shape_; }

 private:
  torch::Tensor full_t(const torch::Tensor& x, double t) const;
  // Logits l [B, N] (and x.x_i [B, N]) for one chunk.
  torch::Tensor logits(const torch::Tensor& xf, const torch::Tensor& a, const torch::Tensor& s,
                       torch::Tensor* dots) const;
  PosteriorOut compute_chunk(const torch::Tensor& xf, const torch::Tensor& t, bool with_dalpha,
                             const torch::Tensor& uf) const;

  int k_;
  Schedule sch_;
  torch::Tensor x_;                     // [N, D] flattened points
  torch::Tensor sq_;                    // [N] ||x_i||^2
  torch::Tensor onehot_;                // [N, K]
  torch::Tensor clusters_;              // [N]
  std::vector<torch::Tensor> members_;  // per cluster: indices of its points
  std::vector<int64_t> shape_;          // sample shape
};

// The exact posterior for a data set and its shards (float64 for points, float32 for images).
ExactPosterior make_exact_posterior(const Dataset& data, const ShardManifest& manifest, const Schedule& sch,
                                    torch::Device device);

}  // namespace ddm
