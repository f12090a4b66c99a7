// The derivative profile's rules: equal-mass interval bounds, the loss scale's interpolation and
// floor, and times drawn where the derivative mass sits (known answers on made-up profiles).
#include <gtest/gtest.h>

#include "router/derivative_profile.h"

namespace ddm {
namespace {

DerivativeProfile profile(const std::vector<std::pair<double, double>>& t_mass) {
  DerivativeProfile p;
  for (const auto& [t, m] : t_mass) {
    ProfileRow r;
    r.t = t;
    r.mean_abs_dalpha = m;
    r.velocity_var = m * m;
    p.rows.push_back(r);
  }
  return p;
}

TEST(DerivativeProfile, EqualMassBoundsOfAFlatProfileAreThirds) {
  const auto [t1, t2] = profile({{0.0, 2.0}, {0.5, 2.0}, {1.0, 2.0}}).equal_mass_bounds();
  EXPECT_NEAR(t1, 1.0 / 3, 1e-12);
  EXPECT_NEAR(t2, 2.0 / 3, 1e-12);
}

TEST(DerivativeProfile, EqualMassBoundsFollowTheMass) {
  // A triangle on [0.4, 0.8] peaking at 0.6, known only at the rows: the cumulative mass is
  // 0, 0.1, 0.2 at 0.4, 0.6, 0.8 and linear between rows, so a third of it is reached at 0.4 + 0.2 * 2/3.
  const auto [t1, t2] = profile({{0.001, 0.0}, {0.4, 0.0}, {0.6, 1.0}, {0.8, 0.0}, {1.0, 0.0}}).equal_mass_bounds();
  EXPECT_NEAR(t1, 0.4 + 0.2 * 2.0 / 3, 1e-9);
  EXPECT_NEAR(t2, 0.8 - 0.2 * 2.0 / 3, 1e-9);
  EXPECT_THROW(profile({{0.1, 0.0}, {0.9, 0.0}}).equal_mass_bounds(), Error);
}

TEST(DerivativeProfile, ScaleInterpolatesInLogTAndIsFloored) {
  const DerivativeProfile p = profile({{0.01, 0.0}, {0.1, 1.0}, {1.0, 3.0}});
  EXPECT_NEAR(p.scale_at(0.1, &ProfileRow::mean_abs_dalpha), 1.0, 1e-12);
  EXPECT_NEAR(p.scale_at(std::sqrt(0.1), &ProfileRow::mean_abs_dalpha), 2.0, 1e-12);  // halfway in log t
  EXPECT_NEAR(p.scale_at(0.01, &ProfileRow::mean_abs_dalpha), 3e-3, 1e-12);           // floor: 1e-3 of the largest
  const torch::Tensor s = p.scale_at(torch::tensor({0.1, 1.0}), &ProfileRow::velocity_var);
  EXPECT_NEAR(s[1].item<double>(), 9.0, 1e-12);
}

TEST(DerivativeProfile, SampledTimesConcentrateWhereTheMassIs) {
  torch::manual_seed(0);
  const DerivativeProfile p = profile({{0.001, 0.0}, {0.4, 0.0}, {0.6, 1.0}, {0.8, 0.0}, {1.0, 0.0}});
  const torch::Tensor t = p.sample_times(4000, 0.001, 1.0);
  EXPECT_GE(t.min().item<double>(), 0.001);
  EXPECT_LE(t.max().item<double>(), 1.0);
  // The floor (1e-3 of the peak) leaves a little mass outside the triangle.
  EXPECT_GT(((t > 0.4) & (t < 0.8)).to(torch::kFloat64).mean().item<double>(), 0.95);
  EXPECT_NEAR(t.mean().item<double>(), 0.6, 0.02);
  const torch::Tensor sub = p.sample_times(1000, 0.7, 0.9);  // restricted to an interval
  EXPECT_GE(sub.min().item<double>(), 0.7);
  EXPECT_LE(sub.max().item<double>(), 0.9);
}

}  // namespace
}  // namespace ddm
