// k-means (k-means++ seeding, Lloyd iterations) on the rows of a float matrix, optionally with
// equal-size clusters. Distances use ||x||^2 - 2 x.c + ||c||^2: one matrix product per chunk.
#pragma once
#include <torch/types.h>

#include <cstdint>

namespace ddm {

struct KmeansResult {
  torch::Tensor centroids;   // [K, F]
  torch::Tensor assignment;  // int64 [N]
  int iterations = 0;
  double inertia = 0;  // sum of squared distances to the assigned centroid
};

// Deterministic for a seed. Fails clearly when a cluster cannot be kept non-empty (fewer than
// K distinct points) or K exceeds N.
KmeansResult kmeans(const torch::Tensor& x, int k, int max_iters, uint64_t seed, bool balanced);

// Squared distances [N, K] between rows of x and centroids.
torch::Tensor squared_distances(const torch::Tensor& x, const torch::Tensor& centroids);

}  // namespace ddm
