// The Sobolev router's derivative-consistency term (design.md section 4): an alpha network is
// also asked to move along the probability-flow ODE as the exact posterior does,
//   d/dt alpha_theta(x_t, t) = partial_t alpha_theta + J_x alpha_theta v(x_t, t)  ~  d alpha/dt (exact),
// the directional derivative of alpha_theta along the tangent (v, 1). Training forms it by a central
// difference (one forward pass of 3B points, and the gradient flows through all three); the exact
// JVP (double backward) is here to measure the difference's error, in tests and the evaluation.
// Errors are compared per unit log-SNR (d/d lambda = (d/dt) / lambda'(t)): d alpha/dt spans orders
// of magnitude over t, d alpha / d lambda stays O(1), and the half-step is a fixed log-SNR step.
#pragma once
#include <torch/types.h>

#include <functional>

#include "diffusion/schedule.h"
#include "router/router_net.h"

namespace ddm {

// alpha(x, t) for a batch: x [B, ...], t [B] -> [B, K].
using AlphaFn = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)>;

// lambda'(t) = d log-SNR / dt = 2 (a'/a - s'/s) (negative), elementwise.
torch::Tensor log_snr_rate(const Schedule& sch, const torch::Tensor& t);

// The time half-step of a log-SNR half-step h at each t: h / |lambda'(t)|.
torch::Tensor difference_steps(const Schedule& sch, const torch::Tensor& t, double h);

// The 3B points a central difference along (v, 1) evaluates: [x; x + dt v; x - dt v] at
// [t; t + dt; t - dt], per sample dt [B]: one forward pass for the value and the derivative.
struct TangentPoints {
  torch::Tensor x, t;
};
TangentPoints tangent_points(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& v,
                             const torch::Tensor& dt);

// From the outputs y [3B, K] at those points: y(x, t) and (y(+) - y(-)) / (2 dt).
struct DirectionalDifference {
  torch::Tensor value;       // [B, K]
  torch::Tensor derivative;  // [B, K]
};
DirectionalDifference central_difference(const torch::Tensor& y, const torch::Tensor& dt);
DirectionalDifference directional_difference(const AlphaFn& f, const torch::Tensor& x, const torch::Tensor& t,
                                             const torch::Tensor& v, const torch::Tensor& dt);

// The exact directional derivative along (v, 1) by double backward: with u a dummy cotangent,
// g(u) = J^T u (graph kept), then d/du <g(u), (v, 1)> = J (v, 1). No graph is kept on the result.
torch::Tensor directional_jvp(const AlphaFn& f, const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& v);

// The training term: mean over points and clusters of ((d alpha_theta/dt - d alpha/dt) / lambda'(t))^2.
torch::Tensor sobolev_error(const torch::Tensor& dalpha_hat, const torch::Tensor& dalpha, const torch::Tensor& rate);

// A router network's total derivative of alpha along (v, 1) by central difference at log-SNR
// half-step h, and (with `logits`) its logits at the centre: one forward pass of 3B points.
DirectionalDifference network_difference(RouterNet& net, const Schedule& sch, const torch::Tensor& x,
                                         const torch::Tensor& t, const torch::Tensor& v, double h,
                                         torch::Tensor* logits = nullptr);
// How far that central difference is from the exact JVP (relative L2 over the batch).
double difference_error(RouterNet& net, const Schedule& sch, const torch::Tensor& x, const torch::Tensor& t,
                        const torch::Tensor& v, double h);

}  // namespace ddm
