// Inference split over ranks by whole batches: batch i of ceil(n / batch) is computed
// by rank i mod W, and after each round of W batches every rank receives the round's results in
// order from their owners. Each rank therefore ends with every result, in the order one process
// computes them, and a batch's result depends only on its index when `compute` seeds itself from it.
#pragma once
#include <torch/types.h>

#include <functional>

#include "dist/process_group.h"

namespace ddm {

// compute(index, first, count) -> [count, ...] on any device; receive(first, result) sees each
// batch's result (on the CPU) on every rank, in batch order. Results share trailing shape and
// dtype (rank 0's first batch tells the others).
void split_batches(const Dist& dist, int64_t n, int64_t batch,
                   const std::function<torch::Tensor(int64_t index, int64_t first, int64_t count)>& compute,
                   const std::function<void(int64_t first, const torch::Tensor& result)>& receive);

}  // namespace ddm
