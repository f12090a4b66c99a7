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
  const double inv_max = std::exp(-sch.log_snr(sch.t_max()) / (2 * rho)), inv_min = std::exp(-sch.log_snr(t_min) / (2 * rho));
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
      case Spacing::kUniform: times[n] = t_max + u * (t_min - t_max); break;
      // t = t_min + (N - 1 - n) / N: the noisiest 1/N is left out, as diffusers' leading timesteps.
      // auto on a continuous schedule (docs/results/sampler.md: FD 1.01x diffusers' at N = 50
      // where uniform's first step at t = 1 costs 1.11x, 1.06x against 1.08x at N = 10).
      case Spacing::kAuto:
      case Spacing::kLeading: times[n] = t_min + t_max * static_cast<double>(steps - 1 - n) / steps; break;
      // Steps shrink near the data (DDIM's `quad` for CIFAR-10): t = t_min + (t_max - t_min)(1 - u)^2.
      case Spacing::kQuadratic: times[n] = t_min + (t_max - t_min) * (1 - u) * (1 - u); break;
      case Spacing::kLogSnr: times[n] = sch.t_from_log_snr(lam_lo + u * (lam_hi - lam_lo)); break;
      case Spacing::kKarras: times[n] = karras_t(sch, u, t_min); break;
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

// Measured on a 2,500-step fashion expert (docs/results/sampler.md), FD with the clip on / off at
// N = 10: ddim 15.1 / 61.4, euler 26.0 / 28.9, heun 17.1 / 32.8, dpmpp2m 12.5 / 47.8; on wins
// for every solver at every N measured.
bool clips_x0_by_default(SolverKind) { return true; }

SolverSettings solver_settings(SolverKind solver, ClipMode clip, bool images) {
  const bool on = clip == ClipMode::kOn || (clip == ClipMode::kAuto && clips_x0_by_default(solver));
  return SolverSettings(solver, images && on, images);
}

torch::Tensor ddim_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next, bool clip) {
  // x_{n+1} = a(t_{n+1}) clip(D) + s(t_{n+1}) eps_hat, eps_hat = (x_n - a(t_n) D) / s(t_n) from the raw D
  return sch.alpha(t_next) * clipped(d, clip) + sch.sigma(t_next) * eps_from_denoised(x, d, sch.alpha(t), sch.sigma(t));
}

torch::Tensor euler_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next, bool clip) {
  // x_{n+1} = x_n + (t_{n+1} - t_n) v(x_n, t_n), v = a' clip(D) + s' eps_hat
  const torch::Tensor v = sch.dalpha(t) * clipped(d, clip) + sch.dsigma(t) * eps_from_denoised(x, d, sch.alpha(t), sch.sigma(t));
  return x + (t_next - t) * v;
}

torch::Tensor heun_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, const torch::Tensor& x_pred,
                        const torch::Tensor& d_pred, double t, double t_next, bool clip) {
  // y = x/a: y_{n+1} = y_n + (sigma_{n+1} - sigma_n) ((y_n - D_n)/sigma_n + (y_pred - D_pred)/sigma_{n+1}) / 2
  //                  = D_n + sigma_{n+1} eps_n + (sigma_{n+1} - sigma_n)(eps_pred - eps_n) / 2,
  // DDIM's step plus the trapezoid's correction of the noise direction: the clip replaces D_n.
  const double a = sch.alpha(t), a_next = sch.alpha(t_next), sigma = sch.sigma(t) / a, sigma_next = sch.sigma(t_next) / a_next;
  const torch::Tensor slope = (x / a - d) / sigma, slope_pred = (x_pred / a_next - d_pred) / sigma_next;
  const torch::Tensor y_next = x / a + 0.5 * (sigma_next - sigma) * (slope + slope_pred);
  return a_next * (clip ? y_next + (clipped(d, true) - d) : y_next);
}

torch::Tensor dpmpp2m_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, const torch::Tensor& d_prev,
                           double t_prev, double t, double t_next) {
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

int64_t evaluations_per_sample(SolverKind solver, int steps) {
  return solver == SolverKind::kHeun ? 2 * static_cast<int64_t>(steps) - 1 : static_cast<int64_t>(steps);
}

namespace {

// Step n of solve_ode (not the landing): x_{n+1} from D = d at (x_n, t_n).
torch::Tensor solver_step(const Schedule& sch, const StepDenoiseFn& denoise, const torch::Tensor& x, const torch::Tensor& d,
                          const torch::Tensor& d_prev, const std::vector<double>& grid, int n, const SolverSettings& s) {
  const double t = grid[n], t_next = grid[n + 1];
  switch (s.kind) {
    case SolverKind::kDdim: return ddim_step(sch, x, d, t, t_next, s.clip_x0);
    case SolverKind::kEuler: return euler_step(sch, x, d, t, t_next, s.clip_x0);
    case SolverKind::kDpmpp2m: return dpmpp2m_step(sch, x, clipped(d, s.clip_x0), clipped(d_prev, s.clip_x0 && d_prev.defined()),
                                                   n > 0 ? grid[n - 1] : t, t, t_next);
    case SolverKind::kHeun: {
      const torch::Tensor x_pred = ddim_step(sch, x, d, t, t_next, s.clip_x0);  // the Euler step in (x/a, sigma)
      return heun_step(sch, x, d, x_pred, denoise(x_pred, t_next, StepPoint{n, t, t_next, false}), t, t_next, s.clip_x0);
    }
  }
  fail("sampler: unknown solver");
}

}  // namespace

torch::Tensor solve_ode(const Schedule& sch, const StepDenoiseFn& denoise, torch::Tensor x, const std::vector<double>& grid,
                        const SolverSettings& solver, const StepCallback& on_step) {
  require(grid.size() >= 2, "sampler: a time grid needs at least 2 points");
  const int steps = static_cast<int>(grid.size()) - 1;
  torch::Tensor d_prev;
  for (int n = 0; n < steps; ++n) {
    const double t = grid[n], t_next = grid[n + 1];
    const torch::Tensor d = denoise(x, t, StepPoint{n, t, t_next, true});
    // Landing on t = 0 (a = 1, s = 0): every solver's update tends to the x0 estimate (k-diffusion
    // and EDM end so; DPM-Solver++ takes its first-order step, diffusers' lower_order_final).
    x = t_next <= 0 ? clipped(d, solver.clip_x0) : solver_step(sch, denoise, x, d, d_prev, grid, n, solver);
    d_prev = d;
    if (on_step) on_step(n, x);
  }
  return solver.clamp_output ? x.clamp(-1.0, 1.0) : x;
}

}  // namespace ddm
