// Closed forms of design.md section 1. Each formula is written once, as a template over double
// and torch::Tensor, so the scalar and the batched paths cannot disagree.
#include "diffusion/schedule.h"

#include <cmath>

#include "config/config.h"
#include "util/error.h"

namespace ddm {
namespace {

constexpr double kCosineOffset = 0.008;  // Nichol & Dhariwal's s
constexpr double kPi = 3.14159265358979323846;
constexpr double kCosineMinLogSnr = -20.0;

double sqrt_(double x) { return std::sqrt(x); }
double exp_(double x) { return std::exp(x); }
double expm1_(double x) { return std::expm1(x); }
double cos_(double x) { return std::cos(x); }
double sin_(double x) { return std::sin(x); }
torch::Tensor sqrt_(const torch::Tensor& x) { return torch::sqrt(x); }
torch::Tensor exp_(const torch::Tensor& x) { return torch::exp(x); }
torch::Tensor expm1_(const torch::Tensor& x) { return torch::expm1(x); }
torch::Tensor cos_(const torch::Tensor& x) { return torch::cos(x); }
torch::Tensor sin_(const torch::Tensor& x) { return torch::sin(x); }

// Cosine: a(t) = cos(theta(t)) / cos(theta(0)), theta(t) = pi/2 (t + c) / (1 + c).
double cosine_theta0() { return kPi / 2 * kCosineOffset / (1 + kCosineOffset); }
template <class T>
T cosine_theta(const T& t) {
  return (t + kCosineOffset) * (kPi / 2 / (1 + kCosineOffset));
}

// linear: log abar = -(b0 t + (b1 - b0) t^2 / 2), beta(t) = b0 + (b1 - b0) t.
template <class T>
T linear_log_abar(const T& t, double b0, double b1) {
  return (t * t * (-(b1 - b0) / 2)) - t * b0;
}
template <class T>
T linear_beta(const T& t, double b0, double b1) {
  return t * (b1 - b0) + b0;
}

template <class T>
T alpha_of(const Schedule& s, const T& t) {
  if (s.discrete()) return exp_(s.table().log_abar(t) * 0.5);
  if (s.kind() == ScheduleKind::kLinear) return exp_(linear_log_abar(t, s.beta_min(), s.beta_max()) * 0.5);
  return cos_(cosine_theta(t)) * (1.0 / std::cos(cosine_theta0()));
}
template <class T>
T sigma_of(const Schedule& s, const T& t) {
  // s = sqrt(1 - abar) = sqrt(-expm1(log abar)): accurate for small t, where abar ~ 1.
  if (s.discrete()) return sqrt_(expm1_(s.table().log_abar(t)) * -1.0);
  if (s.kind() == ScheduleKind::kLinear) return sqrt_(expm1_(linear_log_abar(t, s.beta_min(), s.beta_max())) * -1.0);
  const T a = alpha_of(s, t);
  return sqrt_((a * a) * -1.0 + 1.0);
}
template <class T>
T dalpha_of(const Schedule& s, const T& t) {
  if (s.discrete()) return alpha_of(s, t) * s.table().dlog_abar(t) * 0.5;  // a = exp(L/2): a' = a L'/2
  if (s.kind() == ScheduleKind::kLinear)
    return linear_beta(t, s.beta_min(), s.beta_max()) * alpha_of(s, t) * -0.5;  // a' = -beta a / 2
  return sin_(cosine_theta(t)) * (-kPi / 2 / (1 + kCosineOffset) / std::cos(cosine_theta0()));
}
template <class T>
T dsigma_of(const Schedule& s, const T& t) {
  // s^2 = 1 - a^2  =>  s' = -a a' / s  (= beta abar / (2 s) for the linear schedule).
  return alpha_of(s, t) * dalpha_of(s, t) * -1.0 / sigma_of(s, t);
}

}  // namespace

Schedule::Schedule(ScheduleKind kind, double beta_min, double beta_max, DiscreteSpec discrete)
    : kind_(kind), beta_min_(beta_min), beta_max_(beta_max), discrete_(discrete) {
  require(beta_min > 0 && beta_max > beta_min, "schedule: need 0 < beta_min < beta_max, got {} and {}", beta_min,
          beta_max);
  if (discrete.train_steps > 0)
    table_ = std::make_shared<const DiscreteTable>(kind, beta_min, beta_max, discrete);
  else
    discrete_ = DiscreteSpec{};
}

Schedule Schedule::from_config(const DiffusionConfig& cfg) {
  return Schedule(cfg.schedule, cfg.beta_min, cfg.beta_max,
                  DiscreteSpec{cfg.train_timesteps, cfg.timestep_spacing, cfg.steps_offset, cfg.set_alpha_to_one});
}

torch::Tensor Schedule::network_time(const torch::Tensor& t) const {
  if (!discrete()) return t;
  return (t * static_cast<double>(discrete_.train_steps) - 1.0) / 1000.0;
}

std::vector<double> Schedule::scheduler_times(int steps) const {
  return discrete() ? table_->timestep_times(steps) : std::vector<double>{};
}

double Schedule::landing_time() const { return discrete() ? table_->landing_time() : 0.0; }

double Schedule::alpha(double t) const { return alpha_of(*this, t); }
double Schedule::sigma(double t) const { return sigma_of(*this, t); }
double Schedule::dalpha(double t) const { return dalpha_of(*this, t); }
double Schedule::dsigma(double t) const { return dsigma_of(*this, t); }
torch::Tensor Schedule::alpha(const torch::Tensor& t) const { return alpha_of(*this, t); }
torch::Tensor Schedule::sigma(const torch::Tensor& t) const { return sigma_of(*this, t); }
torch::Tensor Schedule::dalpha(const torch::Tensor& t) const { return dalpha_of(*this, t); }
torch::Tensor Schedule::dsigma(const torch::Tensor& t) const { return dsigma_of(*this, t); }

double Schedule::t_from_log_snr(double lambda) const {
  // abar = sigmoid(lambda): log abar = -softplus(-lambda).
  const double log_abar = -std::log1p(std::exp(-lambda));
  if (discrete()) return table_->t_of_log_abar(log_abar);
  if (kind_ == ScheduleKind::kLinear) {
    // (b1 - b0)/2 t^2 + b0 t + log_abar = 0, the positive root, written to avoid cancellation.
    const double qa = (beta_max_ - beta_min_) / 2, qb = beta_min_, qc = log_abar;
    return 2 * -qc / (qb + std::sqrt(qb * qb - 4 * qa * qc));
  }
  const double a = std::sqrt(std::exp(log_abar));
  return std::acos(a * std::cos(cosine_theta0())) * 2 * (1 + kCosineOffset) / kPi - kCosineOffset;
}

double Schedule::t_max() const {
  if (kind_ == ScheduleKind::kLinear || discrete()) return 1.0;
  return std::min(1.0, t_from_log_snr(kCosineMinLogSnr));
}

Json Schedule::to_json() const {
  Json j = Json::object();
  j["kind"] = to_string(kind_);
  j["beta_min"] = beta_min_;
  j["beta_max"] = beta_max_;
  if (discrete()) {  // continuous schedules keep the keys they always had
    j["train_timesteps"] = discrete_.train_steps;
    j["timestep_spacing"] = to_string(discrete_.spacing);
    j["steps_offset"] = discrete_.steps_offset;
    j["set_alpha_to_one"] = discrete_.set_alpha_to_one;
  }
  return j;
}

Schedule Schedule::from_json(const Json& j) {
  DiscreteSpec d;
  if (j.contains("train_timesteps")) {
    d.train_steps = j.at("train_timesteps").get<int64_t>();
    d.spacing = parse_enum<TimestepSpacing>(j.at("timestep_spacing").get<std::string>(), "schedule.timestep_spacing");
    d.steps_offset = j.at("steps_offset").get<int64_t>();
    d.set_alpha_to_one = j.at("set_alpha_to_one").get<bool>();
  }
  return Schedule(parse_enum<ScheduleKind>(j.at("kind").get<std::string>(), "schedule.kind"),
                  j.at("beta_min").get<double>(), j.at("beta_max").get<double>(), d);
}

std::string Schedule::describe() const {
  if (discrete())
    return format("discrete {} (T = {}, beta {} .. {}, {} timesteps)", to_string(kind_), discrete_.train_steps,
                  beta_min_ / static_cast<double>(discrete_.train_steps),
                  beta_max_ / static_cast<double>(discrete_.train_steps), to_string(discrete_.spacing));
  if (kind_ == ScheduleKind::kLinear) return format("linear (beta {} .. {})", beta_min_, beta_max_);
  return "cosine";
}

}  // namespace ddm
