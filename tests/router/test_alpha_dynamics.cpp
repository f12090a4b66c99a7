// MoG-da's logit-velocity form (design.md section 4) against the exact posterior: the derivative
// built from the exact logit velocity is the exact d alpha/dt, one logit step is the alpha-space
// Euler step to first order, and integrating the exact velocity tracks the exact alpha.
#include <gtest/gtest.h>

#include "diffusion/solvers.h"
#include "router/alpha_dynamics.h"
#include "router/alpha_integrator.h"
#include "router/blobs.h"
#include "router/exact_posterior.h"

namespace ddm {
namespace {

struct Blobs : test::Blobs {
  Blobs() : test::Blobs(60, 3) {}
};

TEST(AlphaDynamics, DerivativeFromTheExactLogitVelocityIsTheExactDerivative) {
  Blobs f;
  const ExactPosterior ex(f.points, f.clusters, f.k, f.sch);
  const torch::Tensor x = torch::randn({16, 3}, torch::kFloat64);
  for (double t : {0.05, 0.2, 0.4, 0.7, 0.95}) {
    const PosteriorOut out = ex.compute(x, torch::full({16}, t, torch::kFloat64), true);
    const torch::Tensor g = dalpha_from_velocity(out.alpha, out.velocity);
    EXPECT_LT((g - out.dalpha).abs().max().item<double>(), 1e-8 * std::max(1.0, out.dalpha.abs().max().item<double>()))
        << "t=" << t;
    EXPECT_LT(g.sum(1).abs().max().item<double>(), 1e-10);
    // c is defined up to a constant: shifting it changes nothing.
    EXPECT_LT((dalpha_from_velocity(out.alpha, out.velocity + 7.0) - g).abs().max().item<double>(), 1e-9);
  }
}

TEST(AlphaDynamics, LogitVelocityIsFiniteWhereAlphaUnderflows) {
  Blobs f;
  const ExactPosterior ex(f.points, f.clusters, f.k, f.sch);
  // Near the data, a point on blob 0 gives the other blobs alpha ~ exp(-9000) = 0 in float64.
  const torch::Tensor x = f.points.slice(0, 0, 1) * f.sch.alpha(0.001);
  const PosteriorOut out = ex.compute(x, torch::full({1}, 0.001, torch::kFloat64), true);
  EXPECT_EQ(out.alpha[0][1].item<double>(), 0.0);
  EXPECT_TRUE(torch::isfinite(out.velocity).all().item<bool>());
  // Forward in t the posterior spreads: far clusters' logits gain on the owner's.
  EXPECT_GT(out.velocity[0][1].item<double>(), out.velocity[0][0].item<double>());
}

TEST(AlphaDynamics, LogitStepEqualsTheAlphaEulerStepToFirstOrder) {
  const torch::Tensor z = torch::tensor({{0.3, -1.0, 0.5, 0.0}}, torch::kFloat64);
  const torch::Tensor c = torch::tensor({{2.0, -1.0, 0.5, 3.0}}, torch::kFloat64);
  const torch::Tensor alpha = torch::softmax(z, 1);
  const torch::Tensor g = dalpha_from_velocity(alpha, c);
  double previous = 0;
  for (double dt : {1e-2, 5e-3, 2.5e-3}) {
    const torch::Tensor logit = torch::softmax(logit_step(z, c, -dt), 1);
    const torch::Tensor euler = alpha - dt * g;  // alpha-space Euler (stays positive at these dt)
    const double err = (logit - euler).abs().max().item<double>();
    EXPECT_LT(err, 2 * dt * dt * c.abs().max().item<double>() * c.abs().max().item<double>());
    if (previous > 0) EXPECT_NEAR(previous / err, 4.0, 0.3) << "dt=" << dt;  // the difference is O(dt^2)
    previous = err;
  }
}

TEST(AlphaDynamics, VelocityErrorIsTheAlphaWeightedVarianceAndIgnoresShifts) {
  const torch::Tensor alpha = torch::tensor({{0.5, 0.25, 0.25}}, torch::kFloat64);
  const torch::Tensor c = torch::tensor({{1.0, 2.0, 3.0}}, torch::kFloat64);
  const torch::Tensor zero = torch::zeros_like(c);
  // e = -c, mean -1.75; variance 0.5 * 0.5625 + 0.25 * 0.0625 + 0.25 * 1.5625 = 0.6875.
  EXPECT_NEAR(velocity_error(alpha, zero, c).item<double>(), 0.6875, 1e-12);
  EXPECT_NEAR(velocity_error(alpha, c + 4.0, c).item<double>(), 0.0, 1e-12);
}

TEST(AlphaDynamics, IntegratingTheExactVelocityTracksTheExactAlpha) {
  Blobs f;
  const ExactPosterior ex(f.points, f.clusters, f.k, f.sch);
  torch::Tensor x = torch::randn({64, 3}, torch::kFloat64);
  const auto grid = evaluation_times(f.sch, 50, Spacing::kUniform, 1e-3);
  const torch::Tensor prior = torch::full({64, 3}, 1.0 / 3, torch::kFloat64);
  AlphaIntegrator logit(IntegrationMode::kLogit);
  logit.begin(prior);
  torch::Tensor a_logit, exact;
  for (size_t n = 0; n < grid.size(); ++n) {
    const PosteriorOut out = ex.compute(x, torch::full({64}, grid[n], torch::kFloat64), true);
    RouterOut r;
    r.logits = torch::log(out.alpha);
    r.velocity = out.velocity;
    a_logit = logit.at(r, grid[n]);
    exact = out.alpha;
    if (n + 1 < grid.size()) x = ddim_step(f.sch, x, out.denoised, grid[n], grid[n + 1]);
  }
  const double tv_logit = total_variation(a_logit, exact).mean().item<double>();
  EXPECT_LT(tv_logit, 0.05);
  EXPECT_EQ((a_logit.argmax(1) == exact.argmax(1)).sum().item<int64_t>(), 64);
}

}  // namespace
}  // namespace ddm
