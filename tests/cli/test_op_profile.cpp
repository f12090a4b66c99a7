// `ddm bench sample --profile`'s table: operators' call counts and self times, with
// nested calls subtracted from their parents.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cli/op_profile.h"

namespace ddm::cli {
namespace {

const Json* row(const Json& table, const std::string& op) {
  for (const Json& r : table)
    if (r["op"] == op) return &r;
  return nullptr;
}

TEST(OpProfile, CountsCallsAndSubtractsNestedOnesFromSelfTime) {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({64, 256}), w = torch::randn({256, 256}), b = torch::randn({256});
  OpProfile profile;
  for (int i = 0; i < 3; ++i) torch::linear(x, w, b);
  const Json table = profile.table();
  const Json* linear = row(table, "aten::linear");
  const Json* addmm = row(table, "aten::addmm");
  ASSERT_NE(linear, nullptr);
  ASSERT_NE(addmm, nullptr);
  EXPECT_EQ((*linear)["calls"].get<int64_t>(), 3);
  EXPECT_EQ((*addmm)["calls"].get<int64_t>(), 3);
  // linear only dispatches to addmm, which does the arithmetic: its self time is the smaller.
  EXPECT_LT((*linear)["self_ms"].get<double>(), (*addmm)["self_ms"].get<double>());
  double share = 0, last = 1e300;
  for (const Json& r : table) {
    share += r["share"].get<double>();
    EXPECT_LE(r["self_ms"].get<double>(), last) << "largest first";
    last = r["self_ms"].get<double>();
  }
  EXPECT_NEAR(share, 1.0, 1e-9);
}

}  // namespace
}  // namespace ddm::cli
