// The exact derivative profile (see derivative_profile.h).
#include "router/derivative_profile.h"

#include <algorithm>
#include <cmath>

#include "diffusion/parameterization.h"
#include "router/alpha_dynamics.h"
#include "util/error.h"

namespace ddm {

std::pair<double, double> DerivativeProfile::equal_mass_bounds() const {
  require(rows.size() >= 2, "derivative profile: needs at least two times");
  std::vector<double> cum{0};
  for (size_t i = 1; i < rows.size(); ++i)
    cum.push_back(cum.back() +
                  0.5 * (rows[i].mean_abs_dalpha + rows[i - 1].mean_abs_dalpha) * (rows[i].t - rows[i - 1].t));
  require(cum.back() > 0, "derivative profile: d alpha/dt is zero at every t (one shard, or identical shards?)");
  const auto at_share = [&](double share) {
    const double target = share * cum.back();
    for (size_t i = 1; i < cum.size(); ++i)
      if (cum[i] >= target) {
        const double f = (target - cum[i - 1]) / std::max(cum[i] - cum[i - 1], 1e-300);
        return rows[i - 1].t + f * (rows[i].t - rows[i - 1].t);
      }
    return rows.back().t;
  };
  return {at_share(1.0 / 3), at_share(2.0 / 3)};
}

double DerivativeProfile::scale_at(double t, double ProfileRow::*field) const {
  double top = 0;
  for (const auto& r : rows) top = std::max(top, r.*field);
  const double floor = std::max(1e-3 * top, 1e-30);
  if (t <= rows.front().t) return std::max(rows.front().*field, floor);
  for (size_t i = 1; i < rows.size(); ++i)
    if (t <= rows[i].t) {
      const double f = std::log(t / rows[i - 1].t) / std::log(rows[i].t / rows[i - 1].t);
      return std::max((1 - f) * (rows[i - 1].*field) + f * (rows[i].*field), floor);
    }
  return std::max(rows.back().*field, floor);
}

torch::Tensor DerivativeProfile::scale_at(const torch::Tensor& t, double ProfileRow::*field) const {
  const torch::Tensor tc = t.to(torch::kCPU, torch::kFloat64).contiguous();
  std::vector<double> out;
  for (int64_t i = 0; i < tc.numel(); ++i) out.push_back(scale_at(tc.data_ptr<double>()[i], field));
  return torch::tensor(out, torch::kFloat64).to(t.device());
}

torch::Tensor DerivativeProfile::sample_times(int64_t n, double lo, double hi) const {
  constexpr int kPoints = 512;
  std::vector<double> t(kPoints), cdf(kPoints, 0.0);
  for (int i = 0; i < kPoints; ++i) t[i] = lo + (hi - lo) * i / (kPoints - 1);
  for (int i = 1; i < kPoints; ++i)
    cdf[i] = cdf[i - 1] +
             0.5 * (scale_at(t[i], &ProfileRow::mean_abs_dalpha) + scale_at(t[i - 1], &ProfileRow::mean_abs_dalpha));
  const torch::Tensor u = torch::rand({n}, torch::kFloat64) * cdf.back();
  const torch::Tensor c = torch::tensor(cdf, torch::kFloat64), tt = torch::tensor(t, torch::kFloat64);
  const torch::Tensor hi_i = torch::searchsorted(c, u).clamp(1, kPoints - 1), lo_i = hi_i - 1;
  const torch::Tensor c0 = c.index_select(0, lo_i), c1 = c.index_select(0, hi_i);
  const torch::Tensor f = (u - c0) / (c1 - c0).clamp_min(1e-300);
  return tt.index_select(0, lo_i) + f * (tt.index_select(0, hi_i) - tt.index_select(0, lo_i));
}

Json DerivativeProfile::to_json() const {
  Json a = Json::array();
  for (const auto& r : rows) {
    Json j = Json::object();
    j["t"] = r.t;
    j["mean_abs_dalpha_dt"] = r.mean_abs_dalpha;
    j["entropy"] = r.entropy;
    j["mean_sq_dalpha_dt"] = r.mean_sq_dalpha;
    j["velocity_var"] = r.velocity_var;
    a.push_back(j);
  }
  return a;
}

DerivativeProfile derivative_profile(const ExactPosterior& exact, const Dataset& data, const torch::Tensor& indices,
                                     int times, int points, double t_min, double t_max, at::Generator& gen,
                                     torch::Device device) {
  require(times >= 2 && points >= 1, "derivative profile: needs >= 2 times and >= 1 point");
  torch::NoGradGuard no_grad;
  const Schedule& sch = exact.schedule();
  DerivativeProfile p;
  for (int i = 0; i < times; ++i) {
    // Log-spaced in t: the action near the data happens at small t.
    const double t = t_min * std::pow(t_max / t_min, static_cast<double>(i) / (times - 1));
    const torch::Tensor pick = indices.index_select(0, torch::randint(indices.size(0), {points}, gen, torch::kInt64));
    const torch::Tensor x0 = data.batch(pick).to(device);
    const torch::Tensor eps = torch::randn(x0.sizes(), gen, torch::kFloat32).to(device);
    const torch::Tensor xt = sch.alpha(t) * x0 + sch.sigma(t) * eps;
    const PosteriorOut ex = exact.compute(xt, torch::full({points}, t, torch::kFloat64).to(device), true);
    const torch::Tensor a = ex.alpha.to(torch::kFloat64), g = ex.dalpha.to(torch::kFloat64),
                        c = ex.velocity.to(torch::kFloat64);
    ProfileRow r;
    r.t = t;
    r.mean_abs_dalpha = g.abs().sum(1).mean().item<double>();
    r.entropy = -(a * torch::log(a.clamp_min(1e-300))).sum(1).mean().item<double>();
    r.mean_sq_dalpha = g.pow(2).sum(1).mean().item<double>();
    r.velocity_var = velocity_error(a, torch::zeros_like(c), c).mean().item<double>();
    p.rows.push_back(r);
  }
  return p;
}

}  // namespace ddm
