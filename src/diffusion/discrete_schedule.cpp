// DDPM's discrete schedule on the continuous time axis (see discrete_schedule.h).
#include "diffusion/discrete_schedule.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace ddm {
namespace {

// diffusers' betas_for_alpha_bar with the squaredcos_cap_v2 alpha_bar (Nichol & Dhariwal).
double cosine_beta(int64_t i, int64_t steps) {
  auto f = [](double u) { return std::pow(std::cos((u + 0.008) / 1.008 * M_PI / 2), 2); };
  const double t1 = static_cast<double>(i) / steps, t2 = static_cast<double>(i + 1) / steps;
  return std::min(1 - f(t2) / f(t1), 0.999);
}

}  // namespace

DiscreteTable::DiscreteTable(ScheduleKind kind, double beta_min, double beta_max, const DiscreteSpec& spec)
    : spec_(spec) {
  const int64_t n = spec.train_steps;
  require(n >= 2, "diffusion.train_timesteps must be 0 (continuous) or at least 2, got {}", n);
  // diffusers computes betas and their cumulative product in float32: so does this table.
  const double start = beta_min / static_cast<double>(n), end = beta_max / static_cast<double>(n);
  knots_.assign(static_cast<size_t>(n) + 1, 0.0);
  float abar = 1.0f;
  for (int64_t i = 0; i < n; ++i) {
    const double beta = kind == ScheduleKind::kLinear
                            ? start + (end - start) * static_cast<double>(i) / static_cast<double>(n - 1)
                            : cosine_beta(i, n);
    abar *= 1.0f - static_cast<float>(beta);
    knots_[static_cast<size_t>(i) + 1] = std::log(static_cast<double>(abar));
  }
  knots_tensor_ = torch::tensor(knots_, torch::kFloat64);
}

namespace {

// The segment [j, j + 1] of knots holding u = T t (t clamped to [0, 1]), for scalars and tensors.
struct Segment {
  double u;
  int64_t j;
};
Segment segment(double t, int64_t steps) {
  const double u = std::clamp(t, 0.0, 1.0) * static_cast<double>(steps);
  return {u, std::min<int64_t>(static_cast<int64_t>(u), steps - 1)};
}

}  // namespace

double DiscreteTable::log_abar(double t) const {
  const auto [u, j] = segment(t, spec_.train_steps);
  return knots_[j] + (u - static_cast<double>(j)) * (knots_[j + 1] - knots_[j]);
}

double DiscreteTable::dlog_abar(double t) const {
  const int64_t j = segment(t, spec_.train_steps).j;
  return (knots_[j + 1] - knots_[j]) * static_cast<double>(spec_.train_steps);
}

// Tensor t: u = T t, the knots below and above each element, and u's offset in its segment.
std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> DiscreteTable::segments(const torch::Tensor& t) const {
  const torch::Tensor u = t.to(torch::kFloat64).clamp(0.0, 1.0) * static_cast<double>(spec_.train_steps);
  const torch::Tensor j = u.floor().clamp_max(static_cast<double>(spec_.train_steps - 1)).to(torch::kLong);
  const torch::Tensor k = knots_tensor_.to(t.device());
  const torch::Tensor lo = k.index_select(0, j.flatten()).view(t.sizes()),
                      hi = k.index_select(0, (j + 1).flatten()).view(t.sizes());
  return {lo, hi, u - j.to(torch::kFloat64)};
}

torch::Tensor DiscreteTable::log_abar(const torch::Tensor& t) const {
  const auto [lo, hi, frac] = segments(t);
  return (lo + frac * (hi - lo)).to(t.scalar_type());
}

torch::Tensor DiscreteTable::dlog_abar(const torch::Tensor& t) const {
  const auto [lo, hi, frac] = segments(t);
  return ((hi - lo) * static_cast<double>(spec_.train_steps)).to(t.scalar_type());
}

double DiscreteTable::t_of_log_abar(double value) const {
  // knots_ decrease: the first knot at or below `value` bounds the segment.
  const auto it = std::find_if(knots_.begin(), knots_.end(), [&](double k) { return k <= value; });
  if (it == knots_.begin()) return 0.0;
  if (it == knots_.end()) return 1.0;
  const size_t j = static_cast<size_t>(it - knots_.begin()) - 1;
  const double frac = (value - knots_[j]) / (knots_[j + 1] - knots_[j]);
  return (static_cast<double>(j) + frac) / static_cast<double>(spec_.train_steps);
}

std::vector<double> DiscreteTable::timestep_times(int n) const {
  const int64_t steps = spec_.train_steps;
  require(n >= 1 && n <= steps, "sampler: {} steps on a discrete schedule of {} timesteps (1..{})", n, steps, steps);
  std::vector<int64_t> ts(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    switch (spec_.spacing) {
      case TimestepSpacing::kLeading:
        ts[i] = static_cast<int64_t>(std::round(static_cast<double>((n - 1 - i) * (steps / n)))) + spec_.steps_offset;
        break;
      case TimestepSpacing::kTrailing:
        ts[i] = static_cast<int64_t>(std::round(steps - i * (static_cast<double>(steps) / n))) - 1;
        break;
      case TimestepSpacing::kLinspace:
        ts[i] =
            static_cast<int64_t>(std::round((n == 1 ? 0.0 : static_cast<double>(steps - 1) * (n - 1 - i) / (n - 1))));
        break;
    }
  }
  std::vector<double> times;
  for (int64_t i : ts)
    times.push_back(static_cast<double>(std::clamp<int64_t>(i, 0, steps - 1) + 1) / static_cast<double>(steps));
  return times;
}

double DiscreteTable::landing_time() const {
  return spec_.set_alpha_to_one ? 0.0 : 1.0 / static_cast<double>(spec_.train_steps);
}

}  // namespace ddm
