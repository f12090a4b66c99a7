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

}  // namespace

std::vector<double> time_grid(const Schedule& sch, int steps, Spacing spacing, double t_min) {
  require(steps >= 1, "sampler: the number of steps must be at least 1, got {}", steps);
  const double t_max = sch.t_max();
  require(t_min > 0 && t_min < t_max, "sampler: t_min must lie in (0, {}), got {}", t_max, t_min);
  std::vector<double> grid(static_cast<size_t>(steps) + 1);
  const double lam_lo = sch.log_snr(t_max), lam_hi = sch.log_snr(t_min);
  for (int n = 0; n <= steps; ++n) {
    const double u = static_cast<double>(n) / steps;  // 0 at noise, 1 at data
    switch (spacing) {
      case Spacing::kUniform: grid[n] = t_max + u * (t_min - t_max); break;
      // Steps shrink near the data (DDIM's `quad` for CIFAR-10): t = t_min + (t_max - t_min)(1 - u)^2.
      case Spacing::kQuadratic: grid[n] = t_min + (t_max - t_min) * (1 - u) * (1 - u); break;
      case Spacing::kLogSnr: grid[n] = sch.t_from_log_snr(lam_lo + u * (lam_hi - lam_lo)); break;
      case Spacing::kKarras: grid[n] = karras_t(sch, u, t_min); break;
    }
  }
  grid.front() = t_max;
  grid.back() = t_min;
  return grid;
}

torch::Tensor ddim_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next) {
  // x_{n+1} = a(t_{n+1}) D + s(t_{n+1}) (x_n - a(t_n) D) / s(t_n)
  return sch.alpha(t_next) * d + sch.sigma(t_next) * eps_from_denoised(x, d, sch.alpha(t), sch.sigma(t));
}

torch::Tensor euler_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next) {
  // x_{n+1} = x_n + (t_{n+1} - t_n) v(x_n, t_n)
  return x + (t_next - t) * velocity_from_denoised(sch, x, d, t);
}

torch::Tensor heun_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, const torch::Tensor& x_pred,
                        const torch::Tensor& d_pred, double t, double t_next) {
  // y = x/a: y_{n+1} = y_n + (sigma_{n+1} - sigma_n) ((y_n - D_n)/sigma_n + (y_pred - D_pred)/sigma_{n+1}) / 2
  const double a = sch.alpha(t), a_next = sch.alpha(t_next), sigma = sch.sigma(t) / a, sigma_next = sch.sigma(t_next) / a_next;
  const torch::Tensor slope = (x / a - d) / sigma, slope_pred = (x_pred / a_next - d_pred) / sigma_next;
  return a_next * (x / a + 0.5 * (sigma_next - sigma) * (slope + slope_pred));
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
  return solver == SolverKind::kHeun ? 2 * static_cast<int64_t>(steps) : static_cast<int64_t>(steps) + 1;
}

torch::Tensor solve_ode(const Schedule& sch, const StepDenoiseFn& denoise, torch::Tensor x, const std::vector<double>& grid,
                        SolverKind solver, const StepCallback& on_step) {
  require(grid.size() >= 2, "sampler: a time grid needs at least 2 points");
  const int steps = static_cast<int>(grid.size()) - 1;
  torch::Tensor d_prev;
  for (int n = 0; n < steps; ++n) {
    const double t = grid[n], t_next = grid[n + 1];
    const torch::Tensor d = denoise(x, t, StepPoint{n, t, t_next, true});
    switch (solver) {
      case SolverKind::kDdim: x = ddim_step(sch, x, d, t, t_next); break;
      case SolverKind::kEuler: x = euler_step(sch, x, d, t, t_next); break;
      case SolverKind::kDpmpp2m: x = dpmpp2m_step(sch, x, d, d_prev, n > 0 ? grid[n - 1] : t, t, t_next); break;
      case SolverKind::kHeun: {
        const torch::Tensor x_pred = ddim_step(sch, x, d, t, t_next);  // the Euler step in (x/a, sigma)
        if (n + 1 == steps) {  // EDM's last step is Euler
          x = x_pred;
          break;
        }
        x = heun_step(sch, x, d, x_pred, denoise(x_pred, t_next, StepPoint{n, t, t_next, false}), t, t_next);
        break;
      }
    }
    d_prev = d;
    if (on_step) on_step(n, x);
  }
  return denoise(x, grid.back(), StepPoint{steps, grid.back(), grid.back(), true});
}

}  // namespace ddm
