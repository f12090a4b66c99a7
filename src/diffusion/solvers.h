// N-step probability-flow ODE solvers (design.md section 5). A solver sees only a denoiser
// D(x, t) (stable-diffusion.cpp's denoise callback): a single expert and a routed ensemble of
// experts look the same here, so each step stays a few lines.
#pragma once
#include <torch/types.h>

#include <functional>
#include <vector>

#include "config/enums.h"
#include "diffusion/schedule.h"

namespace ddm {


// D(x, t): the denoised estimate of a batch x at time t.
using DenoiseFn = std::function<torch::Tensor(const torch::Tensor& x, double t)>;
// Called after each step with the step index n (0-based) and the new state.
using StepCallback = std::function<void(int n, const torch::Tensor& x)>;

// t_0 = t_max > t_1 > ... > t_N = t_min (N + 1 points).
std::vector<double> time_grid(const Schedule& sch, int steps, Spacing spacing, double t_min);

// One step from t to t_next given D at (x, t).
torch::Tensor ddim_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next);
torch::Tensor euler_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next);

// Runs the grid from noise `x` and returns the final denoised estimate D(x_N, t_N)
// (N + 1 denoiser calls).
torch::Tensor solve_ode(const Schedule& sch, const DenoiseFn& denoise, torch::Tensor x, const std::vector<double>& grid,
                        SolverKind solver, const StepCallback& on_step = nullptr);

}  // namespace ddm
