// `ddm theory`'s measurement with exact experts on a small 2-D mixture: mixture DDIM converges
// pathwise at about 1/N, W2 never exceeds the pathwise RMS error (the same-noise pairing is one
// admissible assignment), and switching's paths converge more slowly than mixture's.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/theory.h"

namespace ddm {
namespace {

TEST(Theory, ExactExpertsShowTheExpectedRates) {
  torch::manual_seed(2);
  const int k = 4;
  const auto labels = torch::arange(400, torch::kInt64) % k;
  const auto ang = labels.to(torch::kFloat64) * (2 * M_PI / k);
  const auto pts = torch::stack({torch::cos(ang), torch::sin(ang)}, 1) + 0.2 * torch::randn({400, 2}, torch::kFloat64);
  TheoryOptions opt;
  opt.rules = {RoutingRule::kMixture, RoutingRule::kSwitch};
  opt.solvers = {SolverKind::kDdim};
  opt.steps = {10, 20, 40, 80};
  opt.reference_steps = 640;
  opt.samples = 128;
  const TheoryResult r = run_theory(pts, labels, k, Schedule(ScheduleKind::kLinear), 0.05, Spacing::kUniform, opt);
  ASSERT_EQ(r.curves.size(), 2u);
  const TheoryCurve& mix = r.curves[0];
  const TheoryCurve& sw = r.curves[1];
  ASSERT_EQ(mix.rule, RoutingRule::kMixture);
  EXPECT_NEAR(mix.path_fit.p, 1.0, 0.2) << "mixture DDIM: pathwise O(1/N)";
  for (const auto& c : r.curves)
    for (size_t i = 0; i < c.steps.size(); ++i) EXPECT_LE(c.w2[i], c.path_rms[i] + 1e-12) << c.label() << " N = " << c.steps[i];
  EXPECT_LT(sw.path_fit.p, mix.path_fit.p - 0.3) << "switching's paths should converge more slowly";
  EXPECT_GT(sw.path_rms.back(), 3 * mix.path_rms.back());
  EXPECT_GT(r.floor_w2, 0.0);
}

}  // namespace
}  // namespace ddm
