// 2-D toy mixtures: K Gaussians evenly spaced on a circle, or K concentric rings. Each
// component gets an equal share of the points, and its index is the label. Generated with our
// own splitmix64 + Box-Muller so that a seed means the same points on every platform.
#pragma once
#include <cstdint>

#include "config/enums.h"
#include "data/raw.h"

namespace ddm {

struct ToyOptions {
  ToyShape shape = ToyShape::kGaussians;
  int components = 8;
  int64_t samples = 4000;
  double radius = 1.0;
  double std = 0.05;
  uint64_t seed = 0;
};

RawData make_toy2d(const ToyOptions& opt);
// Centre of Gaussian component k (used by tests and the theory check).
void toy_center(const ToyOptions& opt, int k, double& x, double& y);

}  // namespace ddm
