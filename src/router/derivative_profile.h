// The exact posterior's time profile (design.md sections 3-4): at log-spaced t, over noisy
// training points x_t = a x_0 + s eps, the mean |d alpha/dt|_1, the mean entropy of alpha, and
// the mean sizes of the two derivative targets (||d alpha/dt||^2 and the alpha-weighted variance
// of the logit velocity). MoG-da places its interval bounds where the derivative mass sits and
// scales its derivative loss by these sizes; `ddm router-profile` prints the same table.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <utility>
#include <vector>

#include "data/dataset.h"
#include "router/exact_posterior.h"
#include "util/json.h"

namespace ddm {

struct ProfileRow {
  double t = 0;
  double mean_abs_dalpha = 0;  // E ||d alpha/dt||_1
  double entropy = 0;          // E H(alpha)
  double mean_sq_dalpha = 0;   // E ||d alpha/dt||^2
  double velocity_var = 0;     // E sum_k alpha_k (c_k - <alpha, c>)^2 (the logit head's)
};

struct DerivativeProfile {
  std::vector<ProfileRow> rows;  // increasing t

  // t1, t2 that cut the mass of E ||d alpha/dt||_1 over t (trapezoids in t) into equal thirds.
  std::pair<double, double> equal_mass_bounds() const;
  // A field's value at t, linear in log t between rows, floored at 1e-3 of its largest value
  // (where the derivative vanishes, near data, a relative loss must not divide by zero).
  double scale_at(double t, double ProfileRow::*field) const;
  torch::Tensor scale_at(const torch::Tensor& t, double ProfileRow::*field) const;  // [B] -> [B]
  // n times in [lo, hi] drawn with density proportional to E ||d alpha/dt||_1 (linear in t
  // between rows, by inverse CDF on 512 points), from the global generator.
  torch::Tensor sample_times(int64_t n, double lo, double hi) const;
  Json to_json() const;
};

// `times` log-spaced t in [t_min, t_max], `points` examples drawn from `indices` at each.
DerivativeProfile derivative_profile(const ExactPosterior& exact, const Dataset& data, const torch::Tensor& indices,
                                     int times, int points, double t_min, double t_max, at::Generator& gen,
                                     torch::Device device);

}  // namespace ddm
