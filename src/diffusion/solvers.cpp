// The solvers and time grids of design.md section 5 (see solvers.h).
#include "diffusion/solvers.h"

#include <cmath>

#include "diffusion/parameterization.h"
#include "util/error.h"

namespace ddm {

StepDenoiseFn step_free(DenoiseFn d) {
  return [d = std::move(d)](const torch::Tensor& x, double t, const StepPoint&) { return d(x, t); };
}

namespace {

// Karras et al. (2022), eq. 5: sigma_i = (smax^(1/rho) + u (smin^(1/rho) - smax^(1/rho)))^rho with
// rho = 7, in the VE noise level sigma = s/a = exp(-lambda/2) of our schedule.
double karras_t(const Schedule& sch, double u, double t_min) {
  constexpr double rho = 7.0;
  const double inv_max = std::exp(-sch.log_snr(sch.t_max()) / (2 * rho)),
               inv_min = std::exp(-sch.log_snr(t_min) / (2 * rho));
  const double sigma = std::pow(inv_max + u * (inv_min - inv_max), rho);
  return sch.t_from_log_snr(-2 * std::log(sigma));
}

torch::Tensor clipped(const torch::Tensor& d, bool clip) { return clip ? d.clamp(-1.0, 1.0) : d; }

}  // namespace

std::vector<double> evaluation_times(const Schedule& sch, int steps, Spacing spacing, double t_min) {
  require(steps >= 1, "sampler: the number of steps must be at least 1, got {}", steps);
  const double t_max = sch.t_max();
  require(t_min > 0 && t_min < t_max, "sampler: t_min must lie in (0, {}), got {}", t_max, t_min);
  if (spacing == Spacing::kAuto && sch.discrete()) return sch.scheduler_times(steps);
  std::vector<double> times(static_cast<size_t>(steps));
  const double lam_lo = sch.log_snr(t_max), lam_hi = sch.log_snr(t_min);
  for (int n = 0; n < steps; ++n) {
    const double u = steps == 1 ? 0.0 : static_cast<double>(n) / (steps - 1);  // 0 at noise, 1 at t_min
    switch (spacing) {
      case Spacing::kUniform:
        times[n] = t_max + u * (t_min - t_max);
        break;
      // t = t_min + (N - 1 - n) / N: the noisiest 1/N is left out, as diffusers' leading timesteps.
      // auto on a continuous schedule (docs/results/sampler.md: FD 1.01x diffusers' at N = 50
      // where uniform's first step at t = 1 costs 1.11x, 1.06x against 1.08x at N = 10).
      case Spacing::kAuto:
      case Spacing::kLeading:
        times[n] = t_min + t_max * static_cast<double>(steps - 1 - n) / steps;
        break;
      // Steps shrink near the data (DDIM's `quad` for CIFAR-10): t = t_min + (t_max - t_min)(1 - u)^2.
      case Spacing::kQuadratic:
        times[n] = t_min + (t_max - t_min) * (1 - u) * (1 - u);
        break;
      case Spacing::kLogSnr:
        times[n] = sch.t_from_log_snr(lam_lo + u * (lam_hi - lam_lo));
        break;
      case Spacing::kKarras:
        times[n] = karras_t(sch, u, t_min);
        break;
    }
  }
  if ((spacing != Spacing::kLeading && spacing != Spacing::kAuto) || steps == 1) times.front() = t_max;
  if (steps > 1) times.back() = t_min;
  return times;
}

std::vector<double> time_grid(const Schedule& sch, int steps, Spacing spacing, double t_min) {
  std::vector<double> grid = evaluation_times(sch, steps, spacing, t_min);
  grid.push_back(sch.landing_time());
  return grid;
}

bool clips_x0_by_default(SolverKind solver) { return solver_spec(solver).clips_by_default; }

SolverSettings solver_settings(SolverKind solver, ClipMode clip, bool images) {
  const bool on = clip == ClipMode::kOn || (clip == ClipMode::kAuto && clips_x0_by_default(solver));
  return SolverSettings(solver, images && on, images);
}

torch::Tensor ddim_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next,
                        bool clip) {
  // x_{n+1} = a(t_{n+1}) clip(D) + s(t_{n+1}) eps_hat, eps_hat = (x_n - a(t_n) D) / s(t_n) from the raw D
  return sch.alpha(t_next) * clipped(d, clip) + sch.sigma(t_next) * eps_from_denoised(x, d, sch.alpha(t), sch.sigma(t));
}

torch::Tensor euler_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next,
                         bool clip) {
  // x_{n+1} = x_n + (t_{n+1} - t_n) v(x_n, t_n), v = a' clip(D) + s' eps_hat
  const torch::Tensor v =
      sch.dalpha(t) * clipped(d, clip) + sch.dsigma(t) * eps_from_denoised(x, d, sch.alpha(t), sch.sigma(t));
  return x + (t_next - t) * v;
}

torch::Tensor heun_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d,
                        const torch::Tensor& x_pred, const torch::Tensor& d_pred, double t, double t_next, bool clip) {
  // y = x/a: y_{n+1} = y_n + (sigma_{n+1} - sigma_n) ((y_n - D_n)/sigma_n + (y_pred - D_pred)/sigma_{n+1}) / 2
  //                  = D_n + sigma_{n+1} eps_n + (sigma_{n+1} - sigma_n)(eps_pred - eps_n) / 2,
  // DDIM's step plus the trapezoid's correction of the noise direction: the clip replaces D_n.
  const double a = sch.alpha(t), a_next = sch.alpha(t_next), sigma = sch.sigma(t) / a,
               sigma_next = sch.sigma(t_next) / a_next;
  const torch::Tensor slope = (x / a - d) / sigma, slope_pred = (x_pred / a_next - d_pred) / sigma_next;
  const torch::Tensor y_next = x / a + 0.5 * (sigma_next - sigma) * (slope + slope_pred);
  return a_next * (clip ? y_next + (clipped(d, true) - d) : y_next);
}

torch::Tensor dpmpp2m_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d,
                           const torch::Tensor& d_prev, double t_prev, double t, double t_next) {
  // x_{n+1} = (s_{n+1}/s_n) x_n - a_{n+1} (e^-h - 1) D', h = lambda_{n+1} - lambda_n, with
  // D' = (1 + 1/(2r)) D_n - D_{n-1}/(2r), r = h_{n-1}/h (D' = D_n on the first step).
  auto lambda = [&](double u) { return 0.5 * sch.log_snr(u); };
  const double h = lambda(t_next) - lambda(t);
  torch::Tensor d_mix = d;
  if (d_prev.defined()) {
    const double r = (lambda(t) - lambda(t_prev)) / h;
    d_mix = (1 + 1 / (2 * r)) * d - (1 / (2 * r)) * d_prev;
  }
  return (sch.sigma(t_next) / sch.sigma(t)) * x - sch.alpha(t_next) * std::expm1(-h) * d_mix;
}

namespace {

// Each solver's step n of solve_ode (not the landing), from StepInput.
torch::Tensor ddim_solver(const StepInput& in) {
  return ddim_step(in.sch, in.x, in.denoised, in.grid[in.n], in.grid[in.n + 1], in.clip);
}

torch::Tensor euler_solver(const StepInput& in) {
  return euler_step(in.sch, in.x, in.denoised, in.grid[in.n], in.grid[in.n + 1], in.clip);
}

torch::Tensor heun_solver(const StepInput& in) {
  const double t = in.grid[in.n], t_next = in.grid[in.n + 1];
  const torch::Tensor x_pred =
      ddim_step(in.sch, in.x, in.denoised, t, t_next, in.clip);  // the Euler step in (x/a, sigma)
  const torch::Tensor d_pred = in.denoise(x_pred, t_next, StepPoint{in.n, t, t_next, false});
  return heun_step(in.sch, in.x, in.denoised, x_pred, d_pred, t, t_next, in.clip);
}

torch::Tensor dpmpp2m_solver(const StepInput& in) {
  const double t = in.grid[in.n];
  return dpmpp2m_step(in.sch, in.x, clipped(in.denoised, in.clip),
                      clipped(in.denoised_prev, in.clip && in.denoised_prev.defined()),
                      in.n > 0 ? in.grid[in.n - 1] : t, t, in.grid[in.n + 1]);
}

// Clip on by default for every solver: measured on a 2,500-step fashion expert
// (docs/results/sampler.md), FD with the clip on / off at N = 10: ddim 15.1 / 61.4, euler 26.0 /
// 28.9, heun 17.1 / 32.8, dpmpp2m 12.5 / 47.8; on won at every N measured.
const SolverSpec kSolvers[] = {
    {SolverKind::kDdim, 1, 1, true, ddim_solver},
    {SolverKind::kEuler, 1, 1, true, euler_solver},
    {SolverKind::kHeun, 2, 2, true, heun_solver},
    {SolverKind::kDpmpp2m, 2, 1, true, dpmpp2m_solver},
};

}  // namespace

const SolverSpec& solver_spec(SolverKind solver) {
  for (const auto& s : kSolvers)
    if (s.kind == solver) return s;
  fail("sampler: solver {} has no row in the solver table", to_string(solver));
}

int64_t evaluations_per_sample(SolverKind solver, int steps) {
  // Every step but the landing one (a single D call) makes the solver's evaluations.
  if (steps <= 0) return 0;
  return 1 + static_cast<int64_t>(solver_spec(solver).evaluations_per_step) * (steps - 1);
}

torch::Tensor solve_ode(const Schedule& sch, const StepDenoiseFn& denoise, torch::Tensor x,
                        const std::vector<double>& grid, const SolverSettings& solver) {
  require(grid.size() >= 2, "sampler: a time grid needs at least 2 points");
  const SolverSpec& spec = solver_spec(solver.kind);
  const int steps = static_cast<int>(grid.size()) - 1;
  torch::Tensor d_prev;
  for (int n = 0; n < steps; ++n) {
    const double t = grid[n], t_next = grid[n + 1];
    const torch::Tensor d = denoise(x, t, StepPoint{n, t, t_next, true});
    // Landing on t = 0 (a = 1, s = 0): every solver's update tends to the x0 estimate (k-diffusion
    // and EDM end so; DPM-Solver++ takes its first-order step, diffusers' lower_order_final).
    x = t_next <= 0 ? clipped(d, solver.clip_x0)
                    : spec.step(StepInput{sch, denoise, x, d, d_prev, grid, n, solver.clip_x0});
    d_prev = d;
  }
  return solver.clamp_output ? x.clamp(-1.0, 1.0) : x;
}

}  // namespace ddm
