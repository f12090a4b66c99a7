// The EMA of the weights (train/ema.h): its warm-up decay min(decay, (1 + n) / (10 + n)) at known
// steps, and the shadow after a sequence of updates against the recurrence written out here.
#include <gtest/gtest.h>
#include <torch/nn/module.h>

#include "train/ema.h"

namespace ddm {
namespace {

struct OneWeight : torch::nn::Module {
  torch::Tensor w;
  OneWeight() { w = register_parameter("w", torch::zeros({3}, torch::kFloat64)); }
};

TEST(Ema, WarmUpDecayAndTheShadowFollowTheRecurrence) {
  auto shadow = std::make_shared<OneWeight>();
  Ema ema(shadow, 0.9);
  EXPECT_DOUBLE_EQ(ema.decay_at(0), 0.1);         // (1 + 0) / (10 + 0)
  EXPECT_DOUBLE_EQ(ema.decay_at(10), 0.55);       // 11 / 20
  EXPECT_DOUBLE_EQ(ema.decay_at(80), 81.0 / 90);  // 0.9 exactly: where the ramp meets the decay
  EXPECT_DOUBLE_EQ(ema.decay_at(81), 0.9);
  EXPECT_DOUBLE_EQ(ema.decay_at(100000), 0.9);
  OneWeight model;
  ema.reset(model);
  double s = 0;  // the recurrence s <- d_n s + (1 - d_n) p_n, for every coordinate alike
  for (int64_t n = 0; n < 120; ++n) {
    const double p = std::sin(0.1 * static_cast<double>(n)) + 0.01 * static_cast<double>(n);
    {
      torch::NoGradGuard g;
      model.w.fill_(p);
    }
    ema.update(model, n);
    const double d = std::min(0.9, (1.0 + static_cast<double>(n)) / (10.0 + static_cast<double>(n)));
    s = d * s + (1 - d) * p;
  }
  EXPECT_NEAR(shadow->w[0].item<double>(), s, 1e-12);
  EXPECT_TRUE(torch::equal(shadow->w, shadow->w[0].expand({3})));
  EXPECT_FALSE(shadow->w.requires_grad());
}

}  // namespace
}  // namespace ddm
