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
double spread(const Schedule& s, double t) {
  return std::sqrt(std::pow(s.alpha(t) * kS0, 2) + std::pow(s.sigma(t), 2));
}

// D that also records the state at the start of step `n`, i.e. x_n, the state after step n - 1.
StepDenoiseFn recording_start_of(const DenoiseFn& d, int n, torch::Tensor& x_n) {
  return [d, n, &x_n](const torch::Tensor& x, double t, const StepPoint& p) {
    if (p.start && p.n == n) x_n = x;
    return d(x, t);
  };
}

double pathwise_error(SolverKind solver, int steps) {
  const Schedule sch(ScheduleKind::kLinear);
  const double t_min = 0.02;
  const torch::Tensor x0 = torch::linspace(-3, 3, 41, torch::kFloat64).unsqueeze(1);
  const DenoiseFn d = [&](const torch::Tensor& x, double t) {
    const double a = sch.alpha(t);
    return kMu + a * kS0 * kS0 / std::pow(spread(sch, t), 2) * (x - a * kMu);
  };
  torch::Tensor xn;  // x_{N-1}, at t_min (the last step then lands on t = 0)
  solve_ode(sch, recording_start_of(d, steps - 1, xn), x0, time_grid(sch, steps, Spacing::kUniform, t_min), solver);
  const double t_max = sch.t_max();
  const torch::Tensor exact =
      sch.alpha(t_min) * kMu + spread(sch, t_min) / spread(sch, t_max) * (x0 - sch.alpha(t_max) * kMu);
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
      EXPECT_LT(2 * pathwise_error(second, 160), pathwise_error(first, 160))
          << to_string(second) << " vs " << to_string(first);
}

TEST(Solvers, DpmSolverFirstStepIsDdim) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto x = torch::randn({5, 3}, torch::kFloat64), d = torch::randn({5, 3}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(dpmpp2m_step(sch, x, d, torch::Tensor(), 0.9, 0.9, 0.6), ddim_step(sch, x, d, 0.9, 0.6),
                              1e-12, 1e-12));
}

TEST(Solvers, KarrasGridFollowsRhoSevenInSigma) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto g = evaluation_times(sch, 9, Spacing::kKarras, 1e-3);
  ASSERT_EQ(g.size(), 9u);
  auto root = [&](double t) { return std::pow(std::exp(-0.5 * sch.log_snr(t)), 1.0 / 7); };  // sigma^(1/rho)
  for (size_t n = 1; n < g.size(); ++n) {
    EXPECT_LT(g[n], g[n - 1]);
    EXPECT_NEAR(root(g[n]) - root(g[n - 1]), (root(g.back()) - root(g.front())) / 8, 1e-9)
        << n;  // equal steps in sigma^(1/rho)
  }
}

// Every solver: N start points, one per step in order at t_n, and Heun's extra calls inside
// their step at t_{n+1}: N evaluations (2N - 1 for Heun).
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
    EXPECT_EQ(static_cast<int64_t>(calls.size()), solver == SolverKind::kHeun ? 9 : 5) << to_string(solver);
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
    EXPECT_EQ(starts, 5) << to_string(solver);
  }
}

// The x0 clip (diffusers' DDIMScheduler.step with clip_sample and use_clipped_model_output off):
// x' = a(t') clip(D) + s(t') eps_hat, eps_hat = (x - a(t) D) / s(t) from the raw D, written
// out here with the schedule's closed form in float64.
TEST(Solvers, DdimClipsTheX0EstimateButNotTheNoiseDirection) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto x = 2 * torch::randn({6, 4}, torch::kFloat64),
             d = 3 * torch::randn({6, 4}, torch::kFloat64);  // D far outside [-1, 1]
  const double t = 0.7, t_next = 0.45;
  auto abar = [](double u) { return std::exp(-(0.1 * u + 0.5 * (20.0 - 0.1) * u * u)); };  // linear VP, beta 0.1 .. 20
  const double a = std::sqrt(abar(t)), s = std::sqrt(1 - abar(t)), a_next = std::sqrt(abar(t_next)),
               s_next = std::sqrt(1 - abar(t_next));
  const auto eps = (x - a * d) / s;
  EXPECT_TRUE(
      torch::allclose(ddim_step(sch, x, d, t, t_next, true), a_next * d.clamp(-1, 1) + s_next * eps, 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(ddim_step(sch, x, d, t, t_next, false), a_next * d + s_next * eps, 1e-12, 1e-12));
  // Not the step that re-derives the noise from the clipped D (use_clipped_model_output=True).
  const auto old_step = a_next * d.clamp(-1, 1) + s_next * (x - a * d.clamp(-1, 1)) / s;
  EXPECT_GT((ddim_step(sch, x, d, t, t_next, true) - old_step).abs().max().item<double>(), 0.1);
}

// Euler's velocity is a' D + s' eps_hat from the raw D, its data term clipped only when asked;
// Heun's step is DDIM's plus the trapezoid's correction of the noise direction, and its clip
// replaces only the data term: the clipped step differs from the raw one by a(t') (clip(D) - D)
// (and by its clipped DDIM predictor). Off, no clip reaches either solver.
TEST(Solvers, EulerAndHeunVelocitiesUseTheRawDenoiser) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto x = 2 * torch::randn({5, 3}, torch::kFloat64), d = 3 * torch::randn({5, 3}, torch::kFloat64);
  const double t = 0.6, t_next = 0.5;
  const auto eps = (x - sch.alpha(t) * d) / sch.sigma(t);
  EXPECT_TRUE(torch::allclose(euler_step(sch, x, d, t, t_next),
                              x + (t_next - t) * (sch.dalpha(t) * d + sch.dsigma(t) * eps), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(euler_step(sch, x, d, t, t_next, true),
                              x + (t_next - t) * (sch.dalpha(t) * d.clamp(-1, 1) + sch.dsigma(t) * eps), 1e-12, 1e-12));
  const auto x_pred = torch::randn({5, 3}, torch::kFloat64), d_pred = 3 * torch::randn({5, 3}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(
      heun_step(sch, x, d, x_pred, d_pred, t, t_next, true),
      heun_step(sch, x, d, x_pred, d_pred, t, t_next) + sch.alpha(t_next) * (d.clamp(-1, 1) - d), 1e-12, 1e-12));
  // Through solve_ode with clip_x0 off: the state after step 0 is the raw-D update.
  const DenoiseFn big = [](const torch::Tensor& y, double) { return 3 * y + 2; };
  const auto grid = time_grid(sch, 4, Spacing::kUniform, 0.05);
  for (SolverKind solver : {SolverKind::kEuler, SolverKind::kHeun}) {
    torch::Tensor first;
    solve_ode(sch, recording_start_of(big, 1, first), x, grid, solver_settings(solver, ClipMode::kOff, true));
    const auto pred = ddim_step(sch, x, big(x, grid[0]), grid[0], grid[1]);
    const auto want = solver == SolverKind::kEuler
                          ? euler_step(sch, x, big(x, grid[0]), grid[0], grid[1])
                          : heun_step(sch, x, big(x, grid[0]), pred, big(pred, grid[1]), grid[0], grid[1]);
    EXPECT_TRUE(torch::allclose(first, want, 1e-12, 1e-12)) << to_string(solver);
  }
  EXPECT_FALSE(solver_settings(SolverKind::kDdim, ClipMode::kOn, false).clip_x0);  // points have no data range
  EXPECT_TRUE(solver_settings(SolverKind::kEuler, ClipMode::kOn, true).clip_x0);
  EXPECT_FALSE(solver_settings(SolverKind::kDdim, ClipMode::kOff, true).clip_x0);
  EXPECT_TRUE(solver_settings(SolverKind::kDdim, ClipMode::kOff, true).clamp_output);  // images always leave clamped
}

// The last step lands on t = 0 with x = clip(D(x_{N-1}, t_min)) for every solver, N = 1 is one
// evaluation at t_max, and images leave clamped to [-1, 1].
TEST(Solvers, TheLastStepLandsOnTheClippedX0EstimateAndImagesLeaveClamped) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto noise = torch::randn({4, 3}, torch::kFloat64);
  const DenoiseFn big = [](const torch::Tensor& y, double t) { return 3 * y + t; };
  for (SolverKind solver : {SolverKind::kDdim, SolverKind::kEuler, SolverKind::kHeun, SolverKind::kDpmpp2m}) {
    const auto grid = time_grid(sch, 3, Spacing::kUniform, 1e-3);
    torch::Tensor before;
    const auto out =
        solve_ode(sch, recording_start_of(big, 2, before), noise, grid, SolverSettings(solver, true, false));
    EXPECT_TRUE(torch::equal(out, big(before, grid[2]).clamp(-1, 1))) << to_string(solver);
    const auto raw = solve_ode(sch, step_free(big), noise, grid, SolverSettings(solver, false, false));
    EXPECT_GT(raw.abs().max().item<double>(), 1.0) << to_string(solver);  // nothing clamps without being asked
    EXPECT_LE(
        solve_ode(sch, step_free(big), noise, grid, SolverSettings(solver, false, true)).abs().max().item<double>(),
        1.0);
  }
  EXPECT_TRUE(
      torch::equal(solve_ode(sch, step_free(big), noise, time_grid(sch, 1, Spacing::kUniform, 1e-3), SolverKind::kDdim),
                   big(noise, sch.t_max())));
}

// The solver table has a row for every solver the config can name, and each row's order and
// evaluations per step are what the solver does.
TEST(Solvers, TableHasARowForEveryNamedSolver) {
  for (const auto& [kind, name] : EnumNames<SolverKind>::kNames) {
    const SolverSpec& spec = solver_spec(kind);
    EXPECT_EQ(spec.kind, kind) << name;
    EXPECT_NE(spec.step, nullptr) << name;
    EXPECT_EQ(evaluations_per_sample(kind, 1), 1) << name;  // the landing step alone
    EXPECT_EQ(evaluations_per_sample(kind, 6), 1 + 5 * spec.evaluations_per_step) << name;
  }
  EXPECT_EQ(solver_spec(SolverKind::kHeun).order, 2);
  EXPECT_EQ(solver_spec(SolverKind::kDdim).order, 1);
}

}  // namespace
}  // namespace ddm
