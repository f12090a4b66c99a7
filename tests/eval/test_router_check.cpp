// `ddm router-check`'s measurement on a 2-D mixture: the exact velocity integrated in logit space
// (integrated-exact) tracks the exact alpha, the prior does not, and the JSON has the keys the
// issue names.
#include <gtest/gtest.h>

#include "data/dataset.h"
#include "data/shards.h"
#include "eval/router_check.h"

namespace ddm {
namespace {

TEST(RouterCheck, IntegratedExactTracksTheExactAlphaOnAToyMixture) {
  DataConfig dc;
  dc.dataset = DatasetKind::kToy2d;
  dc.toy_components = 4;
  dc.toy_samples = 400;
  dc.toy_std = 0.15;
  const Dataset data = load_dataset(dc);
  ShardsConfig sc;
  sc.k = 4;
  const ShardManifest m = make_shards(data, dc, sc);
  auto exact = std::make_shared<const ExactPosterior>(data.all(), m.assignment(), m.k, Schedule(ScheduleKind::kLinear));
  std::vector<CheckSource> sources;
  sources.push_back({"integrated-exact", "", 0,
                     std::make_shared<IntegratedAlpha>(exact_derivative(exact), m.priors(), IntegrationMode::kLogit)});
  sources.push_back({"prior", "", 0, prior_alpha(m.priors())});
  RouterCheckOptions o;
  o.paths = 128;
  o.steps = {10, 50};
  const auto rows = router_check(*exact, sources, o, torch::kCPU);
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    ASSERT_EQ(r.tv.size(), static_cast<size_t>(r.steps));  // one per evaluation time
    if (r.source == "integrated-exact") {
      EXPECT_LT(r.tv_final, r.steps == 10 ? 0.15 : 0.05) << "N=" << r.steps;
      EXPECT_GT(r.argmax_agree, 0.9);
    } else {
      EXPECT_GT(r.tv_final, 0.5);  // the posterior of a well separated mixture ends near one-hot
    }
  }
  const Json j = router_check_json(rows);
  const Json& row = j.at("rows")[0];
  for (const char* key : {"source", "steps", "tv_final", "tv_mean", "argmax_agree"})
    EXPECT_TRUE(row.contains(key)) << key;
  EXPECT_EQ(row.at("source").get<std::string>(), "integrated-exact");
  EXPECT_EQ(row.at("steps").get<int64_t>(), 10);
}

}  // namespace
}  // namespace ddm
