// torchrun's environment as ddm reads it (dist/env.h): one process without WORLD_SIZE, every
// variable checked with a one-line error, and the agent store's prefix rule.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "dist/env.h"
#include "test_util.h"

namespace ddm {
namespace {

DistEnv read(const std::map<std::string, std::string>& vars) {
  return read_dist_env([&](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(DistEnv, WithoutWorldSizeIsOneProcess) {
  const DistEnv e = read({{"RANK", "3"}});
  EXPECT_FALSE(e.distributed());
  EXPECT_EQ(e.world_size, 1);
  EXPECT_EQ(e.rank, 0);
  EXPECT_FALSE(read({{"WORLD_SIZE", "1"}}).distributed());
}

TEST(DistEnv, ReadsWhatTorchrunSets) {
  const DistEnv e = read({{"WORLD_SIZE", "4"},
                          {"RANK", "2"},
                          {"LOCAL_RANK", "0"},
                          {"MASTER_ADDR", "node7"},
                          {"MASTER_PORT", "29500"},
                          {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                          {"TORCHELASTIC_RESTART_COUNT", "3"}});
  EXPECT_TRUE(e.distributed());
  EXPECT_EQ(e.rank, 2);
  EXPECT_EQ(e.local_rank, 0);
  EXPECT_EQ(e.master_addr, "node7");
  EXPECT_EQ(e.master_port, 29500);
  EXPECT_TRUE(e.agent_store);
  EXPECT_EQ(e.store_prefix(), "/worker/attempt_3");
  // Without the agent (two processes started by hand, or Slurm's own variables): rank 0 hosts.
  const DistEnv plain =
      read({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "1234"}});
  EXPECT_FALSE(plain.agent_store);
  EXPECT_EQ(plain.local_rank, 0);
  EXPECT_EQ(plain.store_prefix(), "/worker/attempt_0");
}

TEST(DistEnv, BadValuesAreOneLineErrorsNamingTheVariable) {
  const std::map<std::string, std::string> ok{
      {"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "29500"}};
  auto with = [&](const std::string& k, const std::string& v) {
    auto m = ok;
    if (v.empty())
      m.erase(k);
    else
      m[k] = v;
    return test::error_of([&] { read(m); });
  };
  EXPECT_NE(with("RANK", "2").find("RANK=2: expected an integer in 0..1"), std::string::npos);
  EXPECT_NE(with("RANK", "").find("RANK is not set"), std::string::npos);
  EXPECT_NE(with("WORLD_SIZE", "two").find("WORLD_SIZE=two"), std::string::npos);
  EXPECT_NE(with("MASTER_PORT", "70000").find("MASTER_PORT=70000"), std::string::npos);
  EXPECT_NE(with("MASTER_ADDR", "").find("MASTER_ADDR is not set"), std::string::npos);
  EXPECT_EQ(test::count_lines(with("RANK", "-1")), 1);
}

}  // namespace
}  // namespace ddm
