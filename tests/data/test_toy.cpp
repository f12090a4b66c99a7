// 2-D toy mixtures: deterministic for a seed, balanced components where they should be.
#include <gtest/gtest.h>

#include <cmath>

#include "data/dataset.h"
#include "data/toy.h"

namespace ddm {

TEST(Toy, DeterministicAndCentred) {
  ToyOptions opt;
  opt.components = 5;
  opt.samples = 5000;
  opt.std = 0.05;
  const RawData a = make_toy2d(opt), b = make_toy2d(opt);
  EXPECT_EQ(a.points, b.points);
  opt.seed = 1;
  EXPECT_NE(make_toy2d(opt).points, a.points);
  for (int k = 0; k < 5; ++k) {
    double mx = 0, my = 0, n = 0;
    for (int64_t i = 0; i < a.n; ++i)
      if (a.labels[i] == k) {
        mx += a.points[2 * i];
        my += a.points[2 * i + 1];
        ++n;
      }
    EXPECT_EQ(n, 1000);
    double cx, cy;
    toy_center(opt, k, cx, cy);
    EXPECT_NEAR(mx / n, cx, 0.01);
    EXPECT_NEAR(my / n, cy, 0.01);
  }
}

TEST(Toy, RingsHaveTheirRadii) {
  ToyOptions opt;
  opt.shape = ToyShape::kRings;
  opt.components = 3;
  opt.samples = 3000;
  opt.radius = 1.5;
  opt.std = 0.01;
  const RawData r = make_toy2d(opt);
  for (int64_t i = 0; i < r.n; ++i) {
    const double rad = std::hypot(r.points[2 * i], r.points[2 * i + 1]);
    EXPECT_NEAR(rad, 1.5 * (r.labels[i] + 1) / 3, 0.06);
  }
}

}  // namespace ddm
