// The whole decentralized pipeline through the ddm binary on a 2-D mixture: prepare, experts,
// routers, every sampling rule, info on checkpoints, and the errors users meet on the way.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "test_util.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/npy.h"

namespace ddm {
namespace {

class Pipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const std::string cfg = format(
        "data: {{dataset: toy2d, toy_components: 4, toy_samples: 600, toy_std: 0.1}}\n"
        "shards: {{k: 4, method: label}}\n"
        "model: {{mlp_width: 32, mlp_depth: 2}}\n"
        "train: {{steps: 60, batch_size: 128, lr: 3.0e-3, warmup: 5, log_every: 20, checkpoint_every: 30, "
        "preview_count: 64, preview_steps: 5}}\n"
        "router: {{steps: 60, stage2_steps: 10, batch_size: 128, eval_samples: 64}}\n"
        "sample: {{num: 40, batch_size: 16, steps: 6}}\n"
        "run: {{dir: {}}}\n",
        (*dir_) / "run");
    test::write_bytes((*dir_) / "toy.yaml", cfg);
    config_ = "--config " + (*dir_) / "toy.yaml -q ";
    ASSERT_EQ(test::run_ddm("prepare " + config_).status, 0);
    for (const char* k : {"0", "1", "2", "3", "all"}) {
      const auto r = test::run_ddm("train-expert --shard " + std::string(k) + " " + config_);
      ASSERT_EQ(r.status, 0) << r.output;
    }
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string run(const std::string& p) { return (*dir_) / ("run/" + p); }
  static test::TempDir* dir_;
  static std::string config_;
};
test::TempDir* Pipeline::dir_ = nullptr;
std::string Pipeline::config_;

TEST_F(Pipeline, ExpertsCheckpointAndDescribeThemselves) {
  EXPECT_TRUE(path_exists(run("expert-2/ckpt-0000000060.ddm")));
  EXPECT_TRUE(path_exists(run("expert-2/ckpt-0000000030.ddm")));
  EXPECT_TRUE(path_exists(run("expert-2/preview.png")));
  EXPECT_TRUE(path_exists(run("expert-2/metrics.jsonl")));
  const auto info = test::run_ddm("info " + run("expert-2/ckpt-0000000060.ddm"));
  EXPECT_EQ(info.status, 0);
  EXPECT_NE(info.output.find("expert for shard 2 of K = 4"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("step         60"), std::string::npos) << info.output;
  // A truncated checkpoint: one line naming the file.
  const std::string bytes = read_file(run("expert-2/ckpt-0000000060.ddm"));
  test::write_bytes((*dir_) / "cut.ddm", bytes.substr(0, bytes.size() / 2));
  test::expect_error(test::run_ddm("info " + (*dir_) / "cut.ddm"), 1, "cut.ddm: truncated checkpoint");
  test::expect_error(test::run_ddm("train-expert --shard 7 " + config_), 1, "has only K = 4 shards");
  test::expect_error(test::run_ddm("train-expert --shard x " + config_), 2, "--shard x");
}

TEST_F(Pipeline, RoutersSampleWithEveryRule) {
  auto r = test::run_ddm("train-router --kind mog-a " + config_);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("held-out evaluation (mog-a)"), std::string::npos) << r.output;
  EXPECT_TRUE(path_exists(run("router-mog-a/eval.json")));
  r = test::run_ddm("train-router --kind mog-da --targets exact " + config_);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("integrated along exact PF-ODE paths"), std::string::npos) << r.output;

  struct Case {
    std::string args, folder;
    double evals_per_step;
  };
  for (const Case& c :
       std::vector<Case>{{"--rule switch --alpha router", "switch-router-6", 1.0},
                         {"--rule switch --alpha integrated", "switch-integrated-6", 1.0},
                         {"--rule switch --alpha integrated-corrected", "switch-integrated-corrected-6", 1.0},
                         {"--rule switch --alpha integrated --experts exact", "exact-switch-integrated-6", 1.0},
                         {"--rule mixture --alpha oracle --experts exact", "exact-mixture-oracle-6", 4.0},
                         {"--rule top1 --alpha oracle", "top1-oracle-6", 1.0},
                         {"--rule topk --alpha router --set sample.topk=2", "top2-router-6", 2.0},
                         {"--rule mixture --alpha router", "mixture-router-6", 4.0},
                         {"--rule fixed", "fixed-6", 1.0},
                         {"--baseline", "baseline-6", 1.0}}) {
    r = test::run_ddm("sample " + c.args + " " + config_);
    ASSERT_EQ(r.status, 0) << c.args << "\n" << r.output;
    const std::string out = run("samples/" + c.folder);
    const Json s = read_json(out + "/summary.json");
    // Mixture skips experts whose alpha is exactly 0 for a row: at most K per step.
    if (c.evals_per_step == 4.0)
      EXPECT_LE(s.at("evaluations_per_sample_step").get<double>(), 4.0) << c.args;
    else
      EXPECT_DOUBLE_EQ(s.at("evaluations_per_sample_step").get<double>(), c.evals_per_step) << c.args;
    const auto npz = read_npz(out + "/samples.npz");
    ASSERT_EQ(npz.count("samples"), 1u);
    EXPECT_EQ(npz.at("samples").shape, (std::vector<int64_t>{40, 2})) << c.args;
    EXPECT_TRUE(path_exists(out + "/grid.png"));
  }
  // Asking for a router that was not trained names its folder; a retired option says why it went.
  test::expect_error(test::run_ddm("sample --alpha sobolev " + config_), 1, "no router-sobolev checkpoint");
  test::expect_error(test::run_ddm("train-router --kind mog-da --targets exact --set router.derivative=raw " + config_),
                     1, "--set router.derivative=raw: raw is retired: the raw d alpha/dt head was removed");

  // router-check: every source of the three routers, the JSON the issue names, a plot per N.
  r = test::run_ddm("router-check --paths 16 --steps 4,8 " + config_);
  ASSERT_EQ(r.status, 0) << r.output;
  const Json rc = read_json(run("router-check/router-check.json"));
  std::set<std::string> sources;
  for (const Json& row : rc.at("rows")) {
    sources.insert(row.at("source").get<std::string>());
    for (const char* key : {"steps", "tv_final", "tv_mean", "argmax_agree"}) EXPECT_TRUE(row.contains(key)) << key;
  }
  EXPECT_EQ(sources, (std::set<std::string>{"mog-a", "mog-da-head", "integrated", "integrated-corrected",
                                            "integrated-exact", "prior"}));
  EXPECT_TRUE(path_exists(run("router-check/tv-8.png")));

  // Same seed, same samples.
  const std::string first = read_file(run("samples/switch-router-6/samples.npz"));
  ASSERT_EQ(test::run_ddm("sample --rule switch --alpha router " + config_).status, 0);
  EXPECT_EQ(read_file(run("samples/switch-router-6/samples.npz")), first);
}

TEST_F(Pipeline, SamplingRefusesBadInputBeforeAnyWork) {
  test::expect_error(test::run_ddm("sample --steps 0 " + config_), 1, "sample.steps=0");
  test::expect_error(test::run_ddm("sample --rule best " + config_), 1, "valid: switch, top1, topk, mixture, fixed");
  test::expect_error(test::run_ddm("sample --set sample.topk=9 --rule topk --alpha oracle " + config_), 1,
                     "sample.topk must lie in 1..4");
  // A missing expert, and an expert from another shard count.
  test::TempDir other;
  std::filesystem::copy(run(""), other.path(), std::filesystem::copy_options::recursive);
  std::filesystem::remove_all(other / "expert-3");
  test::expect_error(test::run_ddm("sample --set run.dir=" + other.path() + " " + config_), 1,
                     "no expert 3 checkpoint in");
}

TEST_F(Pipeline, RouterProfileWritesItsTableAndPlots) {
  const auto r = test::run_ddm("router-profile --points 32 --times 5 " + config_);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(path_exists(run("router-profile/dalpha.png")));
  EXPECT_TRUE(path_exists(run("router-profile/entropy.png")));
  const Json p = read_json(run("router-profile/profile.json"));
  EXPECT_EQ(p.at("rows").size(), 5u);
}

}  // namespace
}  // namespace ddm
