// The channels-last inference GroupNorm against LibTorch's torch::group_norm, which is
// the independent reference: float and bf16, odd sizes, large means (where a one-pass variance
// would cancel), and the dispatch rule in nn::GroupNorm.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/group_norm_nhwc.h"
#include "models/layers.h"

namespace ddm::nn {
namespace {

struct Case {
  int64_t n, c, h, w, groups;
  double mean;
};

torch::Tensor channels_last(const torch::Tensor& x) { return x.contiguous(torch::MemoryFormat::ChannelsLast); }

TEST(GroupNormNhwc, MatchesTorchGroupNormInFloat) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  for (const Case& k : {Case{2, 64, 16, 16, 32, 0.0}, Case{3, 6, 5, 7, 3, 0.0}, Case{1, 32, 9, 1, 32, 0.0},
                        Case{2, 96, 4, 4, 32, 1000.0}}) {
    const torch::Tensor x = torch::randn({k.n, k.c, k.h, k.w}, torch::kFloat64) * 3 + k.mean;
    const torch::Tensor gamma = torch::rand({k.c}) + 0.5, beta = torch::randn({k.c});
    const torch::Tensor ref = torch::group_norm(x, k.groups, gamma.to(torch::kFloat64), beta.to(torch::kFloat64), 1e-6);
    const torch::Tensor y = group_norm_nhwc(channels_last(x.to(torch::kFloat32)), k.groups, gamma, beta, 1e-6);
    EXPECT_EQ(y.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
    // float input rounding (about 1e-7 relative to the mean of 1000) bounds what any float kernel can do
    EXPECT_LT((y.to(torch::kFloat64) - ref).abs().max().item<double>(), k.mean > 0 ? 5e-4 : 1e-5) << k.c << " channels";
  }
}

TEST(GroupNormNhwc, MatchesTorchGroupNormInBf16) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  const torch::Tensor x = (torch::randn({4, 64, 8, 8}) * 2 + 1).to(torch::kBFloat16);
  const torch::Tensor gamma = torch::rand({64}) + 0.5, beta = torch::randn({64});
  // The reference normalises the same bf16 values in float64 and rounds once to bf16.
  const torch::Tensor ref =
      torch::group_norm(x.to(torch::kFloat64), 32, gamma.to(torch::kFloat64), beta.to(torch::kFloat64), 1e-6);
  const torch::Tensor y = group_norm_nhwc(channels_last(x), 32, gamma, beta, 1e-6);
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
  const torch::Tensor err = (y.to(torch::kFloat64) - ref).abs(), ulp = ref.abs() * std::pow(2.0, -8) + 1e-30;
  EXPECT_LE((err / ulp).max().item<double>(), 1.01)
      << "more than half a bf16 step (2^-8 relative) from the exact value";
}

TEST(GroupNormNhwc, GroupNormLayerUsesItOnlyForChannelsLastInference) {
  torch::manual_seed(5);
  GroupNorm norm(8, 16);
  const torch::Tensor x = torch::randn({2, 16, 6, 6});
  EXPECT_FALSE(group_norm_nhwc_applies(x)) << "NCHW goes to torch::group_norm";
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(group_norm_nhwc_applies(channels_last(x)));
    EXPECT_TRUE(torch::allclose(norm.forward(channels_last(x)), norm.forward(x), 1e-5, 1e-5));
  }
  EXPECT_FALSE(group_norm_nhwc_applies(channels_last(x)))
      << "training (grad mode) keeps LibTorch's kernel, which has a backward";
  const torch::Tensor y = norm.forward(channels_last(x).requires_grad_());
  EXPECT_TRUE(y.requires_grad());
}

}  // namespace
}  // namespace ddm::nn
