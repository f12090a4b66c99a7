// The exact posterior against brute force and finite differences (design.md section 3).
#include <gtest/gtest.h>

#include "router/blobs.h"
#include "router/exact_posterior.h"

namespace ddm {
namespace {

struct Fixture : test::Blobs {
  Fixture() : Blobs(30, 1) {}
};

TEST(ExactPosterior, AlphaMatchesABruteForceDoubleLoopAndSumsToOne) {
  Fixture f;
  const ExactPosterior ex(f.points, f.clusters, f.k, f.sch);
  const auto x = torch::randn({5, 3}, torch::kFloat64);
  for (double t : {0.05, 0.3, 0.8}) {
    const auto alpha = ex.alpha(x, t);
    const double a = f.sch.alpha(t), s = f.sch.sigma(t);
    for (int64_t b = 0; b < 5; ++b) {
      std::vector<double> l(30);
      double mx = -1e300;
      for (int i = 0; i < 30; ++i) {
        double d2 = 0;
        for (int j = 0; j < 3; ++j) {
          const double diff = x[b][j].item<double>() - a * f.points[i][j].item<double>();
          d2 += diff * diff;
        }
        l[i] = -d2 / (2 * s * s);
        mx = std::max(mx, l[i]);
      }
      std::vector<double> want(3, 0.0);
      double z = 0;
      for (int i = 0; i < 30; ++i) z += std::exp(l[i] - mx);
      for (int i = 0; i < 30; ++i) want[f.clusters[i].item<int64_t>()] += std::exp(l[i] - mx) / z;
      for (int c = 0; c < 3; ++c) EXPECT_NEAR(alpha[b][c].item<double>(), want[c], 1e-12) << "t=" << t;
      EXPECT_NEAR(alpha[b].sum().item<double>(), 1.0, 1e-12);
    }
  }
}

TEST(ExactPosterior, DalphaMatchesFiniteDifferencesAndSumsToZero) {
  Fixture f;
  const ExactPosterior ex(f.points, f.clusters, f.k, f.sch);
  const auto x = torch::randn({6, 3}, torch::kFloat64);
  const double h = 1e-6;
  for (double t : {0.1, 0.3, 0.6}) {
    const auto tt = torch::full({6}, t, torch::kFloat64);
    // Along the PF-ODE velocity (the default) and along an arbitrary direction.
    for (bool given : {false, true}) {
      const torch::Tensor u = given ? torch::randn({6, 3}, torch::kFloat64) : ex.velocity(x, t);
      const auto out = ex.compute(x, tt, true, given ? u : torch::Tensor());
      const auto fd = (ex.alpha(x + h * u, t + h) - ex.alpha(x, t)) / h;
      const double rel = ((fd - out.dalpha).norm() / out.dalpha.norm()).item<double>();
      EXPECT_LT(rel, 1e-4) << "t=" << t << " given=" << given;
      EXPECT_LT(out.dalpha.sum(1).abs().max().item<double>(), 1e-12);
    }
  }
}

TEST(ExactPosterior, ExpertDenoisersRecombineIntoTheGlobalOne) {
  // design.md section 2: D = sum_k alpha_k D_k.
  Fixture f;
  const ExactPosterior ex(f.points, f.clusters, f.k, f.sch);
  const auto x = torch::randn({4, 3}, torch::kFloat64);
  for (double t : {0.02, 0.4, 0.9}) {
    const auto alpha = ex.alpha(x, t);
    torch::Tensor mix = torch::zeros_like(x);
    for (int c = 0; c < 3; ++c) mix += alpha.select(1, c).unsqueeze(1) * ex.denoise_k(x, t, c);
    EXPECT_TRUE(torch::allclose(mix, ex.denoise(x, t), 1e-10, 1e-10)) << "t=" << t;
  }
}

TEST(ExactPosterior, ChunkingDoesNotChangeResults) {
  // 40,000 points force several chunks for a batch of 600.
  torch::manual_seed(2);
  const auto pts = torch::randn({40000, 2}, torch::kFloat64);
  const auto cl = torch::randint(0, 4, {40000}, torch::kInt64);
  const ExactPosterior ex(pts, cl, 4, Schedule(ScheduleKind::kLinear));
  const auto x = torch::randn({600, 2}, torch::kFloat64);
  const auto all = ex.alpha(x, 0.3);
  EXPECT_TRUE(torch::allclose(all.slice(0, 590), ex.alpha(x.slice(0, 590), 0.3), 1e-12, 1e-12));
}

}  // namespace
}  // namespace ddm
