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
    ASSERT_EQ(g.size(), 11u);  // 10 evaluation times, then the landing point
    EXPECT_EQ(g.front(), 1.0);
    EXPECT_EQ(g[9], 1e-3);
    EXPECT_EQ(g.back(), 0.0);
    for (size_t i = 1; i < g.size(); ++i) EXPECT_LT(g[i], g[i - 1]) << to_string(sp);
    EXPECT_EQ(evaluation_times(s, 10, sp, 1e-3), std::vector<double>(g.begin(), g.end() - 1));
  }
  EXPECT_EQ(time_grid(s, 1, Spacing::kUniform, 1e-3), (std::vector<double>{1.0, 0.0}));  // one evaluation, at t_max
  // leading: diffusers' leading timesteps in continuous time, steps of 1/N ending at t_min.
  const auto lead = evaluation_times(s, 10, Spacing::kLeading, 1e-3);
  for (int n = 0; n < 10; ++n) EXPECT_NEAR(lead[n], 1e-3 + (9 - n) / 10.0, 1e-15) << n;
  EXPECT_EQ(evaluation_times(s, 1, Spacing::kLeading, 1e-3), std::vector<double>{1.0});
  EXPECT_THROW(time_grid(s, 0, Spacing::kUniform, 1e-3), Error);
}

TEST(Solvers, DdimWithTheExactDenoiserOfAPointMassIsExact) {
  // Data = one point x*: D = x* exactly, so DDIM lands on x* from any noise in one step, and
  // Euler converges to it as the step count grows.
  const Schedule s(ScheduleKind::kLinear);
  const auto target = torch::tensor({{0.5, -0.25}}, torch::kFloat64);
  const DenoiseFn d = [&](const torch::Tensor& x, double) { return target.expand_as(x); };
  const auto x = torch::randn({8, 2}, torch::kFloat64);
  const auto grid = time_grid(s, 2, Spacing::kUniform, 1e-3);  // 1 -> 1e-3 -> 0
  const auto x1 = ddim_step(s, x, d(x, 1.0), grid[0], grid[1]);
  // x_1 = a D + s (x - a(1) D) / s(1): check the formula by hand.
  const auto expect = s.alpha(grid[1]) * target + s.sigma(grid[1]) * (x - s.alpha(1.0) * target) / s.sigma(1.0);
  EXPECT_TRUE(torch::allclose(x1, expect, 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(solve_ode(s, step_free(d), x, grid, SolverKind::kDdim), target.expand_as(x)));
}

// DDPM's discrete schedule (imported networks): timestep i at t = (i + 1) / T has abar =
// prod_{j <= i} (1 - beta_j) with diffusers' betas; t = 0 is abar = 1; between knots log abar is
// linear, so a' and s' match finite differences inside a segment; the network sees timestep
// T t - 1; the sampling timesteps are diffusers' set_timesteps.
TEST(DiscreteSchedule, KnotsAreDdpmsAlphasCumprodAndTimestepsAreDiffusers) {
  const DiscreteSpec spec{1000, TimestepSpacing::kLeading, 1, true};
  const Schedule s(ScheduleKind::kLinear, 0.1, 20.0, spec);
  ASSERT_TRUE(s.discrete());
  double abar = 1;
  for (int i = 0; i < 1000; ++i) {
    abar *= 1 - (1e-4 + (0.02 - 1e-4) * i / 999.0);
    if (i % 111 == 0 || i == 999) {
      EXPECT_NEAR(s.alpha((i + 1) / 1000.0) * s.alpha((i + 1) / 1000.0) / abar, 1.0, 1e-5) << i;
    }
  }
  EXPECT_EQ(s.alpha(0.0), 1.0);
  EXPECT_EQ(s.sigma(0.0), 0.0);
  for (double t : {0.0105, 0.2503, 0.7771, 0.9985}) {
    const double h = 1e-7;  // inside one segment of width 1e-3
    EXPECT_NEAR(s.dalpha(t), (s.alpha(t + h) - s.alpha(t - h)) / (2 * h), 1e-6) << t;
    EXPECT_NEAR(s.dsigma(t), (s.sigma(t + h) - s.sigma(t - h)) / (2 * h), 1e-5) << t;
    EXPECT_NEAR(s.t_from_log_snr(s.log_snr(t)), t, 1e-12) << t;
    const auto tt = torch::tensor({t}, torch::kFloat64);
    EXPECT_NEAR(s.alpha(tt)[0].item<double>(), s.alpha(t), 1e-12);
    EXPECT_NEAR(s.dsigma(tt)[0].item<double>(), s.dsigma(t), 1e-9);
  }
  EXPECT_NEAR(s.network_time(torch::tensor({0.982}, torch::kFloat64))[0].item<double>() * 1000, 981.0, 1e-9);
  // Leading with steps_offset 1: 901, 801, ..., 1; trailing: 999, 899, ..., 99; landing at abar = 1.
  const auto leading = evaluation_times(s, 10, Spacing::kAuto, 1e-3);
  ASSERT_EQ(leading.size(), 10u);
  for (int n = 0; n < 10; ++n) EXPECT_NEAR(leading[n] * 1000, (9 - n) * 100 + 1 + 1, 1e-9) << n;
  EXPECT_EQ(time_grid(s, 10, Spacing::kAuto, 1e-3).back(), 0.0);
  const Schedule trailing(ScheduleKind::kLinear, 0.1, 20.0, DiscreteSpec{1000, TimestepSpacing::kTrailing, 0, false});
  const auto tr = time_grid(trailing, 10, Spacing::kAuto, 1e-3);
  for (int n = 0; n < 10; ++n) EXPECT_NEAR(tr[n] * 1000, 1000 - 100 * n, 1e-9) << n;
  EXPECT_NEAR(tr.back(), 1e-3, 1e-15);  // no set_alpha_to_one: timestep 0's abar
  EXPECT_EQ(time_grid(Schedule(ScheduleKind::kLinear), 4, Spacing::kAuto, 1e-3),
            time_grid(Schedule(ScheduleKind::kLinear), 4, Spacing::kLeading, 1e-3));
  // Round trip through JSON; a continuous schedule's JSON keeps only its old keys.
  EXPECT_EQ(Schedule::from_json(s.to_json()), s);
  EXPECT_FALSE(Schedule::from_json(trailing.to_json()) == s);
  EXPECT_FALSE(Schedule(ScheduleKind::kLinear).to_json().contains("train_timesteps"));
}

}  // namespace
}  // namespace ddm
