// Schedule closed forms against finite differences and known values; parameterisation round
// trips; time grids; a DDIM step against its formula.
#include <gtest/gtest.h>

#include "diffusion/parameterization.h"
#include "diffusion/schedule.h"
#include "diffusion/solvers.h"

namespace ddm {
namespace {

class ScheduleKinds : public ::testing::TestWithParam<ScheduleKind> {};

TEST_P(ScheduleKinds, DerivativesMatchFiniteDifferences) {
  const Schedule s(GetParam());
  for (double t : {0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95}) {
    const double h = 1e-6;
    const double fa = (s.alpha(t + h) - s.alpha(t - h)) / (2 * h);
    const double fs = (s.sigma(t + h) - s.sigma(t - h)) / (2 * h);
    EXPECT_NEAR(s.dalpha(t), fa, 1e-6 * std::max(1.0, std::fabs(fa))) << "t=" << t;
    EXPECT_NEAR(s.dsigma(t), fs, 1e-6 * std::max(1.0, std::fabs(fs))) << "t=" << t;
    EXPECT_NEAR(s.alpha(t) * s.alpha(t) + s.sigma(t) * s.sigma(t), 1.0, 1e-12);
  }
}

TEST_P(ScheduleKinds, TensorPathMatchesScalarPath) {
  const Schedule s(GetParam());
  const auto t = torch::linspace(0.01, s.t_max(), 17, torch::kFloat64);
  const auto a = s.alpha(t), sg = s.sigma(t), da = s.dalpha(t), ds = s.dsigma(t);
  for (int64_t i = 0; i < t.size(0); ++i) {
    const double ti = t[i].item<double>();
    EXPECT_NEAR(a[i].item<double>(), s.alpha(ti), 1e-12);
    EXPECT_NEAR(sg[i].item<double>(), s.sigma(ti), 1e-12);
    EXPECT_NEAR(da[i].item<double>(), s.dalpha(ti), 1e-9);
    EXPECT_NEAR(ds[i].item<double>(), s.dsigma(ti), 1e-9);
  }
}

TEST_P(ScheduleKinds, LogSnrInverts) {
  const Schedule s(GetParam());
  for (double t : {0.001, 0.05, 0.4, 0.8, s.t_max()}) EXPECT_NEAR(s.t_from_log_snr(s.log_snr(t)), t, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(All, ScheduleKinds, ::testing::Values(ScheduleKind::kLinear, ScheduleKind::kCosine));

TEST(Schedule, LinearMatchesDiscreteDdpm) {
  // Continuous DDPM: abar(1) = exp(-(0.1 + 9.95)) ~ 4.3e-5, as the 1000-step DDPM's 4.0e-5.
  const Schedule s(ScheduleKind::kLinear);
  EXPECT_NEAR(s.alpha(1.0) * s.alpha(1.0), std::exp(-10.05), 1e-12);
  // s' = beta abar / (2 s), design.md section 1.
  const double t = 0.37, beta = 0.1 + t * 19.9, abar = s.alpha(t) * s.alpha(t);
  EXPECT_NEAR(s.dsigma(t), beta * abar / (2 * s.sigma(t)), 1e-12);
  EXPECT_EQ(s.t_max(), 1.0);
  EXPECT_LT(Schedule(ScheduleKind::kCosine).t_max(), 1.0);
}

TEST(Parameterization, EveryPredictionRoundTripsToTheDenoiser) {
  torch::manual_seed(0);
  const auto x0 = torch::randn({4, 3}, torch::kFloat64), eps = torch::randn({4, 3}, torch::kFloat64);
  const Schedule s(ScheduleKind::kLinear);
  const auto t = torch::tensor({0.1, 0.4, 0.7, 0.99}, torch::kFloat64);
  const auto a = as_column(s.alpha(t), 2), sg = as_column(s.sigma(t), 2);
  const auto x = a * x0 + sg * eps;
  for (Prediction p : {Prediction::kEps, Prediction::kX0, Prediction::kV}) {
    const auto target = prediction_target(p, x0, eps, a, sg);
    EXPECT_TRUE(torch::allclose(denoised_from_output(p, target, x, a, sg), x0, 1e-9, 1e-9)) << to_string(p);
  }
}

TEST(Solvers, GridsRunFromTmaxToTminMonotonically) {
  const Schedule s(ScheduleKind::kLinear);
  for (Spacing sp : {Spacing::kUniform, Spacing::kQuadratic, Spacing::kLogSnr}) {
    const auto g = time_grid(s, 10, sp, 1e-3);
    ASSERT_EQ(g.size(), 11u);
    EXPECT_EQ(g.front(), 1.0);
    EXPECT_EQ(g.back(), 1e-3);
    for (size_t i = 1; i < g.size(); ++i) EXPECT_LT(g[i], g[i - 1]) << to_string(sp);
  }
  EXPECT_THROW(time_grid(s, 0, Spacing::kUniform, 1e-3), Error);
}

TEST(Solvers, DdimWithTheExactDenoiserOfAPointMassIsExact) {
  // Data = one point x*: D = x* exactly, so DDIM lands on x* from any noise in one step, and
  // Euler converges to it as the step count grows.
  const Schedule s(ScheduleKind::kLinear);
  const auto target = torch::tensor({{0.5, -0.25}}, torch::kFloat64);
  const DenoiseFn d = [&](const torch::Tensor& x, double) { return target.expand_as(x); };
  const auto x = torch::randn({8, 2}, torch::kFloat64);
  const auto grid = time_grid(s, 1, Spacing::kUniform, 1e-3);
  const auto x1 = ddim_step(s, x, d(x, 1.0), grid[0], grid[1]);
  // x_1 = a D + s (x - a(1) D) / s(1): check the formula by hand.
  const auto expect = s.alpha(grid[1]) * target + s.sigma(grid[1]) * (x - s.alpha(1.0) * target) / s.sigma(1.0);
  EXPECT_TRUE(torch::allclose(x1, expect, 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(solve_ode(s, step_free(d), x, grid, SolverKind::kDdim), target.expand_as(x)));
}

}  // namespace
}  // namespace ddm
