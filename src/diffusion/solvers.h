// N-step probability-flow ODE solvers and time grids (design.md section 5). A solver sees only a
// denoiser (stable-diffusion.cpp's denoise callback, with the step): a single expert and a routed
// ensemble of experts look the same here, so each solver stays a few lines.
//
// The per-step contract. Step n (0..N-1) takes x_n at t_n to x_{n+1} at t_{n+1}; every D call
// says which step it belongs to (StepPoint). A step's first call is at its start point
// (x_n, t_n) with start = true, and it is the only one with start = true: that is where a
// routed ensemble draws its experts and advances MoG-da's integrated alpha, once per step
// whatever the solver's order. Heun's second call (at t_{n+1}, start = false) stays in step n.
// After the last step comes the final denoise D(x_N, t_N), step N (start = true): N + 1 start
// points in all.
#pragma once
#include <torch/types.h>

#include <functional>
#include <vector>

#include "config/enums.h"
#include "diffusion/schedule.h"

namespace ddm {

struct StepPoint {
  int n = 0;          // the step, 0..N (N: the final denoise)
  double t_n = 0;     // its start point
  double t_next = 0;  // where it ends (t_N for the final denoise)
  bool start = true;  // this call is at (x_n, t_n), the step's first
};

// D(x, t): the denoised estimate of a batch x at time t (one expert; no per-step state).
using DenoiseFn = std::function<torch::Tensor(const torch::Tensor& x, double t)>;
// D(x, t) within a solver step (a routed ensemble keeps per-step state).
using StepDenoiseFn = std::function<torch::Tensor(const torch::Tensor& x, double t, const StepPoint& step)>;
// A plain D as a step denoiser.
StepDenoiseFn step_free(DenoiseFn d);
// Called after each step with the step index n (0-based) and the new state.
using StepCallback = std::function<void(int n, const torch::Tensor& x)>;

// t_0 = t_max > t_1 > ... > t_N = t_min (N + 1 points).
std::vector<double> time_grid(const Schedule& sch, int steps, Spacing spacing, double t_min);

// One step from t to t_next given D = d at (x, t).
torch::Tensor ddim_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next);
torch::Tensor euler_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t, double t_next);
// Heun's correction (EDM's deterministic sampler, Karras et al. 2022, Algorithm 1) in EDM's
// variables x/a and sigma = s/a, where the ODE is d(x/a)/d sigma = (x/a - D)/sigma and its Euler
// step is DDIM: the trapezoid of the slopes at (x, t) and at the DDIM prediction (x_pred,
// t_next), whose D is d_pred.
torch::Tensor heun_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, const torch::Tensor& x_pred,
                        const torch::Tensor& d_pred, double t, double t_next);
// DPM-Solver++(2M) (Lu et al. 2022) in lambda = log(a/s): the multistep second-order update from
// D at t and the previous step's D at t_prev; without a previous D (the first step) it is the
// first-order update, which is DDIM.
torch::Tensor dpmpp2m_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, const torch::Tensor& d_prev,
                           double t_prev, double t, double t_next);

// Runs the grid from noise `x` and returns the final denoised estimate D(x_N, t_N): N + 1 calls
// (ddim, euler, dpmpp2m) or 2N (heun: two per step, the last step Euler).
torch::Tensor solve_ode(const Schedule& sch, const StepDenoiseFn& denoise, torch::Tensor x, const std::vector<double>& grid,
                        SolverKind solver, const StepCallback& on_step = nullptr);
// The D calls solve_ode makes per sample for N steps.
int64_t evaluations_per_sample(SolverKind solver, int steps);

}  // namespace ddm
