// `ddm evaluate` end to end on a tiny labelled image set in Fashion-MNIST's IDX format: two
// shards, tiny U-Net experts, both routers, then the Table-1 evaluation with its routing check.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "data/data_files.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm {
namespace {

TEST(Evaluate, WritesTheTableForEveryRowAndStepCount) {
  test::TempDir dir;
  test::write_tiny_fashion(dir / "data", 120);
  test::write_bytes(
      dir / "c.yaml",
      format("data: {{dataset: fashion-mnist, path: {}}}\n"
             "shards: {{k: 2, method: label}}\n"
             "model: {{channels: 8, groups: 4, channel_mult: [1, 2], num_res_blocks: 1, attn_resolutions: []}}\n"
             "train: {{steps: 4, batch_size: 8, warmup: 1, checkpoint_every: 4, preview_count: 4, preview_steps: 2}}\n"
             "router: {{steps: 4, stage2_steps: 2, batch_size: 8, eval_samples: 8}}\n"
             "eval: {{classifier_steps: 20}}\n"
             "run: {{dir: {}}}\n",
             dir / "data", dir / "run"));
  const std::string cfg = "--config " + dir / "c.yaml -q ";
  ASSERT_EQ(test::run_ddm("prepare " + cfg).status, 0);
  for (const char* k : {"0", "1", "all"})
    ASSERT_EQ(test::run_ddm(std::string("train-expert --shard ") + k + " " + cfg).status, 0) << k;
  for (const char* kind : {"mog-a", "mog-da", "sobolev"})
    ASSERT_EQ(test::run_ddm(std::string("train-router --targets exact --kind ") + kind + " " + cfg).status, 0);

  test::expect_error(test::run_ddm("evaluate --rows switch-best " + cfg), 1,
                     "valid: router, integrated, integrated-corrected, oracle, sobolev");
  const auto r = test::run_ddm(
      "evaluate --rows baseline,fixed,top1-router,switch-integrated,mixture-router,switch-sobolev --steps 2,3 --num "
      "6 " +
      cfg);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("| mixture (MoG-a) |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not FID"), std::string::npos) << r.output;
  const Json e = read_json(dir / "run/evaluation/evaluation.json");
  ASSERT_EQ(e.at("rows").size(), 6u);  // switch-sobolev: sampling with the Sobolev router's alpha
  for (const Json& row : e.at("rows")) {
    ASSERT_EQ(row.at("cells").size(), 2u);
    for (const Json& cell : row.at("cells")) {
      EXPECT_GE(cell.at("fd").get<double>(), 0.0);
      double total = 0;
      for (const Json& s : cell.at("class_share")) total += s.get<double>();
      EXPECT_NEAR(total, 1.0, 1e-9);
      // The tiny data set's labels alternate between classes 0 and 1 (proportions 1/2, 1/2, 0, ...):
      // the class TV is half the L1 distance of the shares to those. (mean_confidence's definition
      // is checked by slow.Classifier.ClassSharesConfidenceAndTvAreTheirDefinitions.)
      double l1 = 0;
      for (size_t c = 0; c < cell.at("class_share").size(); ++c)
        l1 += std::fabs(cell.at("class_share")[c].get<double>() - (c < 2 ? 0.5 : 0.0));
      EXPECT_NEAR(cell.at("class_tv").get<double>(), l1 / 2, 1e-12);
    }
  }
  EXPECT_TRUE(path_exists(dir / "run/evaluation/table.md"));
  EXPECT_TRUE(path_exists(dir / "run/evaluation/grids/mixture-router-3.png"));
  EXPECT_NE(read_file(dir / "run/evaluation/metrics.jsonl").find("\"row\":\"fixed\""), std::string::npos);

  // Exact experts (the shards' posterior means) with learned and exact alpha, two seeds per cell:
  // its own folder, mean and spread in the table.
  const auto x = test::run_ddm(
      "evaluate --experts exact --rows switch-integrated-corrected,switch-oracle --steps 2 --num 6 --seeds 2 " + cfg);
  ASSERT_EQ(x.status, 0) << x.output;
  EXPECT_NE(x.output.find("exact experts"), std::string::npos) << x.output;
  EXPECT_NE(x.output.find(" ± "), std::string::npos) << x.output;
  const Json ex = read_json(dir / "run/evaluation-exact/evaluation.json");
  EXPECT_EQ(ex.at("experts").get<std::string>(), "exact");
  ASSERT_EQ(ex.at("rows")[0].at("cells").size(), 2u);  // one cell per seed
  EXPECT_NE(ex.at("rows")[0].at("cells")[0].at("seed").get<int64_t>(),
            ex.at("rows")[0].at("cells")[1].at("seed").get<int64_t>());
}

}  // namespace
}  // namespace ddm
