// Data parallelism for ddm's trainers, in the form that makes W ranks train the same
// model as one process:
//  - every rank draws the global batch's indices, times and noise from the same generator and
//    keeps its own disjoint rows (BatchShare), so W ranks with B/W rows each see exactly the
//    examples, t and eps of one process with batch B;
//  - rank 0's initial weights are broadcast, and gradients are averaged with all_reduce in a few
//    flat buckets (GradientSync), so optimiser, EMA and generator states stay equal on all ranks.
// With one process every call returns at once and changes nothing.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "dist/process_group.h"

namespace ddm {

struct BatchShare {
  int64_t global = 0, begin = 0, end = 0;
  int64_t size() const { return end - begin; }
  // This rank's rows of a tensor drawn for the whole global batch.
  torch::Tensor take(const torch::Tensor& whole) const;
};
// Rank r's rows [r B/W, (r+1) B/W) of a global batch B; `what` names the setting when W does
// not divide B (the error says so in one line).
BatchShare batch_share(int64_t global, const Dist& dist, const std::string& what);

// In place, on every rank: root's values of `tensors` (parameters, buffers).
void broadcast_tensors(const Dist& dist, const std::vector<torch::Tensor>& tensors, int root = 0);
// max over ranks and elements of |t - t on rank 0|: 0 when every rank holds the same tensors.
double max_divergence(const Dist& dist, const std::vector<torch::Tensor>& tensors);

// Each rank's `values`, all of the same length, side by side on every rank ([W][n]): an
// all-gather made of one summed all_reduce, so that ddm uses only the collectives it checks.
std::vector<std::vector<double>> gather_values(const Dist& dist, const std::vector<double>& values);

// How ranks' gradients combine: the mean (each rank's loss is the mean over its rows of an equal
// share of the batch) or the sum (each rank's loss is its own part of one global loss, as in
// federated training where parties hold different amounts of data).
enum class GradientReduce { kMean, kSum };

class GradientSync {
 public:
  // DDP's default bucket size, 25 MiB.
  GradientSync(Dist dist, std::vector<torch::Tensor> params, GradientReduce mode = GradientReduce::kMean,
               int64_t bucket_bytes = int64_t{25} << 20);
  // Combines the parameters' gradients over ranks in place (parameters without a gradient have
  // none on any rank, since every rank runs the same graph) and returns `scalars` (a float64
  // vector: the loss and logged figures) combined the same way, in the same pass.
  torch::Tensor average(const torch::Tensor& scalars);
  double seconds() const { return seconds_; }  // spent in all_reduce so far
  const Dist& dist() const { return dist_; }

 private:
  Dist dist_;
  std::vector<torch::Tensor> params_;
  GradientReduce mode_;
  int64_t bucket_bytes_;
  double seconds_ = 0;
};

}  // namespace ddm
