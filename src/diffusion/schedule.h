// The VP noise schedule in continuous time t in [0, 1] (design.md section 1):
// x_t = a(t) x_0 + s(t) eps, a = sqrt(abar), s = sqrt(1 - abar), with a', s' in closed form.
// Pure functions of t, for scalars and (batched) tensors, like k-diffusion's schedule helpers.
// A discrete schedule (DDPM's T noise levels, for imported networks) is the same interface over
// diffusion/discrete_schedule.h's table.
#pragma once
#include <torch/types.h>

#include <memory>
#include <vector>

#include "config/diffusion_config.h"
#include "diffusion/discrete_schedule.h"
#include "util/json.h"

namespace ddm {

class Schedule {
 public:
  Schedule() = default;
  Schedule(ScheduleKind kind, double beta_min = 0.1, double beta_max = 20.0, DiscreteSpec discrete = {});
  static Schedule from_config(const DiffusionConfig& cfg);

  ScheduleKind kind() const { return kind_; }
  double beta_min() const { return beta_min_; }
  double beta_max() const { return beta_max_; }
  bool discrete() const { return table_ != nullptr; }
  const DiscreteSpec& discrete_spec() const { return discrete_; }

  double alpha(double t) const;   // a(t)
  double sigma(double t) const;   // s(t)
  double dalpha(double t) const;  // a'(t)
  double dsigma(double t) const;  // s'(t)
  double log_snr(double t) const { return 2.0 * (std::log(alpha(t)) - std::log(sigma(t))); }
  // The t with log_snr(t) = lambda (log-SNR is strictly decreasing in t).
  double t_from_log_snr(double lambda) const;
  // The largest time a sampler starts from and training draws: 1 for `linear`; for `cosine`,
  // where a(t) -> 0 exactly at t = 1 and eps-prediction cannot be inverted, the t with
  // log-SNR = -20 (a ~ 5e-5).
  double t_max() const;

  // The time a network is given: t, or on a discrete schedule (T t - 1) / 1000, whose embedding
  // of 1000 x time is DDPM's integer timestep.
  torch::Tensor network_time(const torch::Tensor& t) const;
  // The N times of sample.spacing=auto: a discrete schedule's own timesteps (diffusers'
  // set_timesteps); empty for a continuous one.
  std::vector<double> scheduler_times(int steps) const;
  // Where sampling lands: t = 0 (abar = 1), or timestep 0 for a discrete schedule without
  // set_alpha_to_one.
  double landing_time() const;

  // The same, elementwise, for a tensor of times (any device, float32 or float64).
  torch::Tensor alpha(const torch::Tensor& t) const;
  torch::Tensor sigma(const torch::Tensor& t) const;
  torch::Tensor dalpha(const torch::Tensor& t) const;
  torch::Tensor dsigma(const torch::Tensor& t) const;

  Json to_json() const;
  static Schedule from_json(const Json& j);
  bool operator==(const Schedule& o) const {
    return kind_ == o.kind_ && beta_min_ == o.beta_min_ && beta_max_ == o.beta_max_ && discrete_ == o.discrete_;
  }
  const DiscreteTable& table() const { return *table_; }
  std::string describe() const;

 private:
  ScheduleKind kind_ = ScheduleKind::kLinear;
  double beta_min_ = 0.1, beta_max_ = 20.0;
  DiscreteSpec discrete_;
  std::shared_ptr<const DiscreteTable> table_;  // set for a discrete schedule
};

}  // namespace ddm
