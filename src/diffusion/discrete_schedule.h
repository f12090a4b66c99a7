// DDPM's discrete noise levels as diffusers' schedulers define them, on ddm's continuous time axis
// (design.md section 1): an imported network trained at integer timesteps i = 0..T-1 is sampled
// at exactly its own noise levels. Timestep i sits at t = (i + 1) / T with abar = alphas_cumprod[i]
// (betas from `beta_schedule`, cumulative product as diffusers computes it), t = 0 is abar = 1,
// and log abar is linear in t between the knots, so a(t), s(t) and their derivatives exist
// everywhere. The network sees timestep T t - 1, and the sampler's default grid is the
// scheduler's own timesteps (`timestep_spacing`, `steps_offset`).
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <tuple>
#include <vector>

#include "config/enums.h"

namespace ddm {

struct DiscreteSpec {
  int64_t train_steps = 0;  // T (num_train_timesteps); 0: continuous time
  TimestepSpacing spacing = TimestepSpacing::kLeading;
  int64_t steps_offset = 0;
  bool set_alpha_to_one = true;  // the last step lands on abar = 1, else on alphas_cumprod[0]
  bool operator==(const DiscreteSpec&) const = default;
};

class DiscreteTable {
 public:
  // `kind` and beta_min/max as ddm's config writes them: betas are beta_min/T .. beta_max/T
  // (linear), or squaredcos_cap_v2 for cosine.
  DiscreteTable(ScheduleKind kind, double beta_min, double beta_max, const DiscreteSpec& spec);
  double log_abar(double t) const;
  double dlog_abar(double t) const;  // d log abar / dt, piecewise constant
  torch::Tensor log_abar(const torch::Tensor& t) const;
  torch::Tensor dlog_abar(const torch::Tensor& t) const;
  // The t in [0, 1] with log_abar(t) = value (log abar decreases in t).
  double t_of_log_abar(double value) const;
  // diffusers' set_timesteps(n): n timesteps from the noisiest, as times t = (i + 1) / T.
  std::vector<double> timestep_times(int n) const;
  // Where the last step lands: t = 0 (abar = 1) with set_alpha_to_one, else timestep 0's t.
  double landing_time() const;
  int64_t train_steps() const { return spec_.train_steps; }

 private:
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> segments(const torch::Tensor& t) const;
  DiscreteSpec spec_;
  std::vector<double> knots_;   // log abar at t = j / T, j = 0..T (knots_[0] = 0)
  torch::Tensor knots_tensor_;  // the same, float64
};

}  // namespace ddm
