// N-step probability-flow ODE solvers and time grids (design.md section 5). A solver sees only a
// denoiser (stable-diffusion.cpp's denoise callback, with the step): a single expert and a routed
// ensemble of experts look the same here, so each solver stays a few lines.
//
// N steps are N network evaluations (diffusers, k-diffusion): D is evaluated at t_0 = t_max >
// ... > t_{N-1} = t_min, and step n takes x_n at t_n to x_{n+1} at t_{n+1}, the last one landing
// on t_N = 0 (a = 1, s = 0), where every solver's update tends to x_N = D(x_{N-1}, t_{N-1}).
// Heun adds a corrector evaluation at t_{n+1} to every step but the last (EDM): 2N - 1 in all.
//
// Denoisers return the raw D. The x0 clip to the data range is the solver's, applied where its
// reference applies it (SolverSettings::clip_x0), never to the noise direction.
//
// The per-step contract. Every D call says which step it belongs to (StepPoint). A step's first
// call is at its start point (x_n, t_n) with start = true, and it is the only one with start =
// true: that is where a routed ensemble draws its experts and advances MoG-da's integrated alpha,
// once per step whatever the solver's order. Heun's second call (at t_{n+1}, start = false) stays
// in step n. N start points in all.
#pragma once
#include <torch/types.h>

#include <functional>
#include <vector>

#include "config/enums.h"
#include "diffusion/schedule.h"

namespace ddm {

struct StepPoint {
  int n = 0;          // the step, 0..N-1
  double t_n = 0;     // its start point
  double t_next = 0;  // where it ends (0 for the last step)
  bool start = true;  // this call is at (x_n, t_n), the step's first
};

// D(x, t): the denoised estimate of a batch x at time t (one expert; no per-step state).
using DenoiseFn = std::function<torch::Tensor(const torch::Tensor& x, double t)>;
// D(x, t) within a solver step (a routed ensemble keeps per-step state).
using StepDenoiseFn = std::function<torch::Tensor(const torch::Tensor& x, double t, const StepPoint& step)>;
// A plain D as a step denoiser.
StepDenoiseFn step_free(DenoiseFn d);

// The N evaluation times t_0 > ... > t_{N-1} = t_min ({t_max} for N = 1): t_0 = t_max, or
// t_min + (N - 1)/N for leading (and auto on a continuous schedule); with Spacing::kAuto on a
// discrete schedule, its scheduler's timesteps.
std::vector<double> evaluation_times(const Schedule& sch, int steps, Spacing spacing, double t_min);
// evaluation_times followed by the landing point t_N = 0 (N + 1 points; a discrete schedule
// without set_alpha_to_one lands on its timestep 0 instead).
std::vector<double> time_grid(const Schedule& sch, int steps, Spacing spacing, double t_min);

// How a solver treats the data range [-1, 1] (image data; points have no range).
struct SolverSettings {
  // A bare SolverKind is that solver without clipping (points, exact experts, tests).
  SolverSettings(SolverKind k = SolverKind::kDdim, bool clip = false, bool clamp = false)
      : kind(k), clip_x0(clip), clamp_output(clamp) {}
  SolverKind kind = SolverKind::kDdim;
  // Clip the x0 estimate in each solver's data term, never in its noise direction: DDIM's
  // (diffusers' clip_sample), DPM-Solver++'s data prediction (thresholding), Euler's velocity,
  // Heun's step written as DDIM's plus the trapezoid's correction (and its DDIM predictor).
  bool clip_x0 = false;
  bool clamp_output = false;  // the final sample clamped to [-1, 1]
};
// `auto` for sample.clip_x0, per solver (the solver table's row).
bool clips_x0_by_default(SolverKind solver);
// The settings for `solver` under sample.clip_x0 = `clip`: images clip and clamp, points neither.
SolverSettings solver_settings(SolverKind solver, ClipMode clip, bool images);

// One step from t to t_next given D = d at (x, t). `clip`: the x0 estimate clipped to [-1, 1].
// DDIM: x' = a(t') clip(D) + s(t') (x - a(t) D) / s(t), the direction from the raw D.
torch::Tensor ddim_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& denoised, double t,
                        double t_next, bool clip = false);
// Euler in t on the PF-ODE velocity v = a' clip(D) + s' (x - a D) / s.
torch::Tensor euler_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& denoised, double t,
                         double t_next, bool clip = false);
// Heun's correction (EDM's deterministic sampler, Karras et al. 2022, Algorithm 1) in EDM's
// variables x/a and sigma = s/a, where the ODE is d(x/a)/d sigma = (x/a - D)/sigma and its Euler
// step is DDIM: the trapezoid of the slopes at (x, t) and at the DDIM prediction (x_pred,
// t_next), whose D is d_pred. Written as DDIM's step plus a correction of the noise direction,
// its data term is D; `clip` clips that term (and the caller's DDIM prediction), as DDIM does.
torch::Tensor heun_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d,
                        const torch::Tensor& x_pred, const torch::Tensor& d_pred, double t, double t_next,
                        bool clip = false);
// DPM-Solver++(2M) (Lu et al. 2022) in lambda = log(a/s): the multistep second-order update from
// the data predictions D at t and D_prev at t_prev; without a previous D (the first step) it is
// the first-order update, which is DDIM. Thresholding (clip) applies to the caller's D's.
torch::Tensor dpmpp2m_step(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d,
                           const torch::Tensor& d_prev, double t_prev, double t, double t_next);

// What one step of solve_ode sees: step n from x_n at grid[n] to grid[n + 1], D = denoised at
// (x_n, t_n), the previous step's D (undefined on the first), and the denoiser for solvers that
// evaluate again within the step.
struct StepInput {
  const Schedule& sch;
  const StepDenoiseFn& denoise;
  const torch::Tensor& x;
  const torch::Tensor& denoised;
  const torch::Tensor& denoised_prev;
  const std::vector<double>& grid;
  int n;
  bool clip;  // SolverSettings::clip_x0
};

// The solver table: one row per solver. Adding a solver is its step function and its row (and
// its name in config/enums.h, which the config parser reads).
struct SolverSpec {
  SolverKind kind;
  int order;                 // of the global error in the step size
  int evaluations_per_step;  // D calls per step (the landing step makes one)
  bool clips_by_default;     // sample.clip_x0: auto (docs/results/sampler.md: on won for every solver)
  torch::Tensor (*step)(const StepInput& in);
};
const SolverSpec& solver_spec(SolverKind solver);

// Runs the grid (time_grid's N + 1 points) from noise `x` and returns x_N, the sample.
torch::Tensor solve_ode(const Schedule& sch, const StepDenoiseFn& denoise, torch::Tensor x,
                        const std::vector<double>& grid, const SolverSettings& solver);
// The D calls solve_ode makes per sample for N steps on a grid that lands on t = 0.
int64_t evaluations_per_sample(SolverKind solver, int steps);

}  // namespace ddm
