// DDIM and Euler steps and the time grids of design.md section 5.
#include "diffusion/solvers.h"

#include "diffusion/parameterization.h"
#include "util/error.h"

namespace ddm {

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

torch::Tensor solve_ode(const Schedule& sch, const DenoiseFn& denoise, torch::Tensor x, const std::vector<double>& grid,
                        SolverKind solver, const StepCallback& on_step) {
  require(grid.size() >= 2, "sampler: a time grid needs at least 2 points");
  for (size_t n = 0; n + 1 < grid.size(); ++n) {
    const torch::Tensor d = denoise(x, grid[n]);
    x = solver == SolverKind::kDdim ? ddim_step(sch, x, d, grid[n], grid[n + 1]) : euler_step(sch, x, d, grid[n], grid[n + 1]);
    if (on_step) on_step(static_cast<int>(n), x);
  }
  return denoise(x, grid.back());
}

}  // namespace ddm
