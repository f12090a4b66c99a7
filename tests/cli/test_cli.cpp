// The ddm binary end to end: bad input gives one clear line and a non-zero status, never a
// crash; prepare and info work on a toy data set.
#include <gtest/gtest.h>

#include "test_util.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm {
using test::expect_error;

TEST(Cli, VersionHelpAndUnknownCommand) {
  const auto v = test::run_ddm("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.output.find("LibTorch"), std::string::npos);
  EXPECT_NE(v.output.find("CUDA"), std::string::npos);
  const auto h = test::run_ddm("prepare --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.output.find("shards.k"), std::string::npos);
  expect_error(test::run_ddm("frobnicate"), 2, "unknown command 'frobnicate'");
  expect_error(test::run_ddm("prepare --frob"), 2, "frob");
}

TEST(Cli, BadConfigAndValues) {
  test::TempDir dir;
  test::write_bytes(dir / "c.yaml", "data:\n  dataset: toy2d\n  toy_components: 3\nshards:\n  kay: 3\n");
  expect_error(test::run_ddm("prepare --config " + dir / "c.yaml"), 1, "c.yaml:5: unknown key 'shards.kay'");
  expect_error(test::run_ddm("prepare --set shards.method=magic"), 1, "valid: label, kmeans, random");
}

TEST(Cli, MissingDataUnwritableOutputAndTooManyShards) {
  test::TempDir dir;
  expect_error(test::run_ddm("prepare --set data.dataset=cifar10 --set data.path=" + dir / "nope" +
                             " --set run.dir=" + dir / "run"),
               1, "missing CIFAR-10 file");
  test::write_bytes(dir / "file", "x");
  expect_error(test::run_ddm("prepare --set data.dataset=toy2d --set run.dir=" + dir / "file/run"), 1,
               "cannot create output folder");
  expect_error(test::run_ddm("prepare --set data.dataset=toy2d --set data.toy_samples=5 --set shards.method=random "
                             "--set shards.k=9 --set run.dir=" +
                             dir / "run"),
               1, "shards.k = 9 is larger than the number of examples (5)");
}

TEST(Cli, PrepareThenInfo) {
  test::TempDir dir;
  const std::string common =
      "--set data.dataset=toy2d --set data.toy_components=4 --set shards.k=4 --set run.dir=" + dir / "run";
  const auto p = test::run_ddm("prepare " + common);
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_TRUE(path_exists(dir / "run/shards.json"));
  EXPECT_TRUE(path_exists(dir / "run/config.yaml"));
  EXPECT_TRUE(path_exists(dir / "run/log.txt"));
  const auto i = test::run_ddm("info " + dir / "run/shards.json");
  ASSERT_EQ(i.status, 0) << i.output;
  EXPECT_NE(i.output.find("K = 4, by label"), std::string::npos) << i.output;
  const auto d = test::run_ddm("info " + common);
  ASSERT_EQ(d.status, 0) << d.output;
  EXPECT_NE(d.output.find("examples     4000"), std::string::npos) << d.output;
}

}  // namespace ddm

namespace ddm {

// `ddm bench sample` through the binary on a tiny U-Net: one JSON line whose counts are what the
// rule implies (N = NFE: switch evaluates one expert per sample and step, mixture all K, --single
// one network without routing), with the CPU and its flags recorded.
TEST(Cli, BenchSampleReportsWhatItRan) {
  const std::string tiny =
      "bench sample --shape 1,16,16 --steps 3 --batch 4 -q --set model.channels=8 --set model.groups=4 "
      "--set model.channel_mult=1,2 --set model.num_res_blocks=1 --set model.attn_resolutions=8 ";
  auto run = [&](const std::string& extra) {
    const auto r = test::run_ddm(tiny + extra);
    EXPECT_EQ(r.status, 0) << r.output;
    return parse_json(r.output.substr(r.output.rfind("{\"bench\"")), "bench output");
  };
  const Json sw = run("--set sample.rule=switch");
  EXPECT_EQ(sw.at("bench"), "sample");
  EXPECT_EQ(sw.at("rule"), "switch");
  EXPECT_EQ(sw.at("steps"), 3);
  EXPECT_EQ(sw.at("samples"), 4);
  EXPECT_DOUBLE_EQ(sw.at("nfe").get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(sw.at("evaluations_per_sample_step").get<double>(), 1.0);
  EXPECT_GT(sw.at("images_per_s").get<double>(), 0.0);
  EXPECT_FALSE(sw.at("cpu").get<std::string>().empty());
  EXPECT_TRUE(sw.at("cpu_flags").is_array());
  const Json mix = run("--set sample.rule=mixture");
  EXPECT_DOUBLE_EQ(mix.at("evaluations_per_sample_step").get<double>(), mix.at("experts").get<double>());
  const Json single = run("--single");
  EXPECT_EQ(single.at("experts"), 1);
  EXPECT_DOUBLE_EQ(single.at("evaluations_per_sample_step").get<double>(), 1.0);
}

}  // namespace ddm

namespace ddm {

// docs/cli-reference.md is what `ddm help --markdown` prints: every command's options and every
// config key with type, default and meaning, from the tables that drive --help.
TEST(Cli, TheCommandReferenceIsWhatTheBinaryPrints) {
  const auto r = test::run_ddm("help --markdown");
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string page = std::string(DDM_SOURCE_DIR) + "/docs/cli-reference.md";
  ASSERT_TRUE(path_exists(page)) << page;
  EXPECT_TRUE(r.output == read_file(page))
      << "docs/cli-reference.md is stale: regenerate it with `build/src/ddm help --markdown > docs/cli-reference.md`";
  EXPECT_NE(r.output.find("| `train.preview_steps` | int | `50` |"), std::string::npos);
  EXPECT_NE(r.output.find("## ddm train-router"), std::string::npos);
}

}  // namespace ddm
