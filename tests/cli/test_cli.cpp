// The ddm binary end to end: bad input gives one clear line and a non-zero status, never a
// crash; prepare and info work on a toy data set.
#include <gtest/gtest.h>

#include "test_util.h"
#include "util/fs.h"

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
