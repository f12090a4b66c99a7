// A small labelled data set for exact-posterior tests: three Gaussian blobs in 3-D (std 0.3 around
// the unit vectors), so that the posterior is neither uniform nor one-hot at mid t.
#pragma once
#include <torch/types.h>

#include "diffusion/schedule.h"

namespace ddm::test {

struct Blobs {
  torch::Tensor points, clusters;
  int k = 3;
  Schedule sch{ScheduleKind::kLinear};
  Blobs(int64_t n, uint64_t seed) {
    torch::manual_seed(seed);
    clusters = torch::arange(n, torch::kInt64) % k;
    points = torch::randn({n, 3}, torch::kFloat64) * 0.3 + torch::one_hot(clusters, 3).to(torch::kFloat64);
  }
};

}  // namespace ddm::test
