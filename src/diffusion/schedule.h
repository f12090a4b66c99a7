// The VP noise schedule in continuous time t in [0, 1] (design.md section 1):
// x_t = a(t) x_0 + s(t) eps, a = sqrt(abar), s = sqrt(1 - abar), with a', s' in closed form.
// Pure functions of t, for scalars and (batched) tensors, like k-diffusion's schedule helpers.
#pragma once
#include <torch/types.h>

#include "config/diffusion_config.h"
#include "util/json.h"

namespace ddm {

class Schedule {
 public:
  Schedule() = default;
  Schedule(ScheduleKind kind, double beta_min = 0.1, double beta_max = 20.0);
  static Schedule from_config(const DiffusionConfig& cfg);

  ScheduleKind kind() const { return kind_; }
  double beta_min() const { return beta_min_; }
  double beta_max() const { return beta_max_; }

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

  // The same, elementwise, for a tensor of times (any device, float32 or float64).
  torch::Tensor alpha(const torch::Tensor& t) const;
  torch::Tensor sigma(const torch::Tensor& t) const;
  torch::Tensor dalpha(const torch::Tensor& t) const;
  torch::Tensor dsigma(const torch::Tensor& t) const;

  Json to_json() const;
  static Schedule from_json(const Json& j);
  bool operator==(const Schedule& o) const {
    return kind_ == o.kind_ && beta_min_ == o.beta_min_ && beta_max_ == o.beta_max_;
  }
  std::string describe() const;

 private:
  ScheduleKind kind_ = ScheduleKind::kLinear;
  double beta_min_ = 0.1, beta_max_ = 20.0;
};

}  // namespace ddm
