// The solvers against the closed-form PF-ODE of Gaussian data, where D is exact: DDIM and Euler
// converge at order 1, Heun and DPM-Solver++(2M) at order 2; DPM-Solver++'s first step is DDIM;
// the Karras grid; and the per-step contract every solver keeps (one start point per step).
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/solvers.h"

namespace ddm {
namespace {

// Data N(mu, s0^2): D(x, t) = mu + a s0^2 / (a^2 s0^2 + s^2) (x - a mu), and the PF-ODE carries
// x(t_max) to a(t) mu + r(t)/r(t_max) (x(t_max) - a(t_max) mu), r = sqrt(a^2 s0^2 + s^2).
constexpr double kMu = 0.7, kS0 = 0.3;
double spread(const Schedule& s, double t) { return std::sqrt(std::pow(s.alpha(t) * kS0, 2) + std::pow(s.sigma(t), 2)); }

double pathwise_error(SolverKind solver, int steps) {
  const Schedule sch(ScheduleKind::kLinear);
  const double t_min = 0.02;
  const torch::Tensor x0 = torch::linspace(-3, 3, 41, torch::kFloat64).unsqueeze(1);
  const DenoiseFn d = [&](const torch::Tensor& x, double t) {
    const double a = sch.alpha(t);
    return kMu + a * kS0 * kS0 / std::pow(spread(sch, t), 2) * (x - a * kMu);
  };
  torch::Tensor xn;
  solve_ode(sch, step_free(d), x0, time_grid(sch, steps, Spacing::kUniform, t_min), solver, [&](int, const torch::Tensor& x) { xn = x; });
  const double t_max = sch.t_max();
  const torch::Tensor exact = sch.alpha(t_min) * kMu + spread(sch, t_min) / spread(sch, t_max) * (x0 - sch.alpha(t_max) * kMu);
  return (xn - exact).abs().max().item<double>();
}

double order(SolverKind solver, int n) { return std::log2(pathwise_error(solver, n) / pathwise_error(solver, 2 * n)); }

// Measured here (max error at t_min = 0.02, uniform grid): at N = 80 -> 160 the error halves for
// DDIM (3.4e-2) and Euler (9.5e-3) and falls 3.7-3.9x for Heun (4.8e-3) and DPM-Solver++(2M)
// (6.0e-3); below N = 40 the second-order solvers are not yet in their asymptote.
TEST(Solvers, ConvergeAtTheirOrderOnGaussianData) {
  EXPECT_NEAR(order(SolverKind::kDdim, 80), 1.0, 0.2);
  EXPECT_NEAR(order(SolverKind::kEuler, 80), 1.0, 0.2);
  EXPECT_NEAR(order(SolverKind::kHeun, 80), 2.0, 0.3);
  EXPECT_NEAR(order(SolverKind::kDpmpp2m, 80), 2.0, 0.3);
  for (SolverKind second : {SolverKind::kHeun, SolverKind::kDpmpp2m})
    for (SolverKind first : {SolverKind::kDdim, SolverKind::kEuler})
      EXPECT_LT(2 * pathwise_error(second, 160), pathwise_error(first, 160)) << to_string(second) << " vs " << to_string(first);
}

TEST(Solvers, DpmSolverFirstStepIsDdim) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto x = torch::randn({5, 3}, torch::kFloat64), d = torch::randn({5, 3}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(dpmpp2m_step(sch, x, d, torch::Tensor(), 0.9, 0.9, 0.6), ddim_step(sch, x, d, 0.9, 0.6), 1e-12, 1e-12));
}

TEST(Solvers, KarrasGridFollowsRhoSevenInSigma) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto g = time_grid(sch, 8, Spacing::kKarras, 1e-3);
  ASSERT_EQ(g.size(), 9u);
  auto root = [&](double t) { return std::pow(std::exp(-0.5 * sch.log_snr(t)), 1.0 / 7); };  // sigma^(1/rho)
  for (size_t n = 1; n < g.size(); ++n) {
    EXPECT_LT(g[n], g[n - 1]);
    EXPECT_NEAR(root(g[n]) - root(g[n - 1]), (root(g.back()) - root(g.front())) / 8, 1e-9) << n;  // equal steps in sigma^(1/rho)
  }
}

// Every solver: N + 1 start points, one per step in order at t_n, and Heun's extra calls inside
// their step at t_{n+1}.
TEST(Solvers, EveryCallSaysItsStepAndEachStepStartsOnce) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto grid = time_grid(sch, 5, Spacing::kUniform, 0.05);
  for (SolverKind solver : {SolverKind::kDdim, SolverKind::kEuler, SolverKind::kHeun, SolverKind::kDpmpp2m}) {
    std::vector<StepPoint> calls;
    std::vector<double> times;
    const StepDenoiseFn d = [&](const torch::Tensor& x, double t, const StepPoint& s) {
      calls.push_back(s);
      times.push_back(t);
      return 0.5 * x;
    };
    solve_ode(sch, d, torch::ones({2, 1}, torch::kFloat64), grid, solver);
    ASSERT_EQ(static_cast<int64_t>(calls.size()), evaluations_per_sample(solver, 5)) << to_string(solver);
    int starts = 0;
    for (size_t i = 0; i < calls.size(); ++i) {
      const StepPoint& s = calls[i];
      if (s.start) {
        EXPECT_EQ(s.n, starts++) << to_string(solver);
        EXPECT_EQ(times[i], grid[static_cast<size_t>(s.n)]);
      } else {
        EXPECT_EQ(solver, SolverKind::kHeun);
        EXPECT_EQ(s.n, starts - 1);
        EXPECT_EQ(times[i], s.t_next);
      }
    }
    EXPECT_EQ(starts, 6) << to_string(solver);
  }
}

}  // namespace
}  // namespace ddm
