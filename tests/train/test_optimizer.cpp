// torch::optim's Adam/AdamW as ddm drives them: AdamW and Adam against updates computed by hand
// in float64, clipping, and the state in checkpoints (by name, and from ddm's own Adam before).
#include <gtest/gtest.h>
#include <torch/nn/module.h>

#include <cmath>

#include "models/checkpoint.h"
#include "train/optimizer.h"

namespace ddm {
namespace {

struct Params : torch::nn::Module {
  torch::Tensor w;
  explicit Params(std::vector<double> v) { w = register_parameter("w", torch::tensor(v, torch::kFloat64)); }
};

TrainConfig adam_config(OptimizerKind kind, double weight_decay) {
  TrainConfig c;
  c.optimizer = kind;
  c.lr = 0.1;
  c.beta1 = 0.9;
  c.beta2 = 0.999;
  c.adam_eps = 1e-8;
  c.weight_decay = weight_decay;
  c.grad_clip = 0;
  return c;
}

// Two updates with the given gradients, next to the textbook formulas in plain doubles.
void expect_matches_hand_computed(OptimizerKind kind) {
  const TrainConfig c = adam_config(kind, 0.05);
  const std::vector<double> p0 = {0.5, -1.5, 2.0};
  const std::vector<std::vector<double>> grads = {{0.3, -0.2, 1e-4}, {-0.1, 0.4, 2.0}};
  Params net(p0);
  Optimizer opt(net.named_parameters(), c);
  std::vector<double> p = p0, m(3, 0), v(3, 0);
  for (size_t t = 1; t <= grads.size(); ++t) {
    net.w.mutable_grad() = torch::tensor(grads[t - 1], torch::kFloat64);
    opt.step(c.lr);
    for (size_t i = 0; i < 3; ++i) {
      double g = grads[t - 1][i];
      if (kind == OptimizerKind::kAdamW)
        p[i] *= 1 - c.lr * c.weight_decay;  // decoupled (Loshchilov & Hutter)
      else
        g += c.weight_decay * p[i];  // L2 in the gradient
      m[i] = c.beta1 * m[i] + (1 - c.beta1) * g;
      v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(c.beta1, t)), v_hat = v[i] / (1 - std::pow(c.beta2, t));
      p[i] -= c.lr * m_hat / (std::sqrt(v_hat) + c.adam_eps);
    }
    for (size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(net.w[i].item<double>(), p[i], 1e-14) << "step " << t << " element " << i;
  }
}

TEST(Optimizer, AdamWMatchesTheHandComputedUpdateInFloat64) { expect_matches_hand_computed(OptimizerKind::kAdamW); }
TEST(Optimizer, AdamMatchesTheHandComputedUpdateInFloat64) { expect_matches_hand_computed(OptimizerKind::kAdam); }

TEST(Optimizer, ClipsTheGlobalNormAndReportsItBefore) {
  TrainConfig c = adam_config(OptimizerKind::kAdam, 0);
  Params net({0, 0});
  net.w.mutable_grad() = torch::tensor({3.0, 4.0}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(Optimizer(net.named_parameters(), c).clip_grad_norm(), 5.0);  // 0: no clipping
  EXPECT_TRUE(torch::equal(net.w.grad(), torch::tensor({3.0, 4.0}, torch::kFloat64)));
  c.grad_clip = 1.0;
  EXPECT_DOUBLE_EQ(Optimizer(net.named_parameters(), c).clip_grad_norm(), 5.0);
  EXPECT_NEAR(net.w.grad().norm().item<double>(), 1.0, 1e-6);
}

TEST(Optimizer, StateRoundTripsThroughACheckpointByName) {
  const TrainConfig c = adam_config(OptimizerKind::kAdamW, 0.01);
  Params a({1.0, 2.0}), b({1.0, 2.0});
  Optimizer oa(a.named_parameters(), c), ob(b.named_parameters(), c);
  a.w.mutable_grad() = torch::tensor({0.5, -0.25}, torch::kFloat64);
  oa.step(c.lr);
  Checkpoint ckpt;
  oa.save(ckpt, "opt.");
  EXPECT_EQ(ckpt.get("opt.w.step").item<int64_t>(), 1);
  EXPECT_TRUE(ckpt.has("opt.w.exp_avg") && ckpt.has("opt.w.exp_avg_sq"));
  b.w.detach().copy_(a.w.detach());
  ob.load(ckpt, "opt.");
  for (Params* p : {&a, &b}) p->w.mutable_grad() = torch::tensor({-0.1, 0.3}, torch::kFloat64);
  oa.step(c.lr);
  ob.step(c.lr);
  EXPECT_TRUE(torch::equal(a.w, b.w));  // bit for bit
}

TEST(Optimizer, LoadsTheStateOfDdmsOwnAdamFromBefore) {
  // Keys of the optimiser ddm had before torch::optim: one step count, m and v by position.
  const TrainConfig c = adam_config(OptimizerKind::kAdam, 0);
  Checkpoint old;
  old.put("opt.step", torch::tensor(int64_t{7}));
  old.put("opt.m.0", torch::tensor({0.2, -0.1}, torch::kFloat64));
  old.put("opt.v.0", torch::tensor({0.04, 0.01}, torch::kFloat64));
  Params net({1.0, 1.0});
  Optimizer opt(net.named_parameters(), c);
  opt.load(old, "opt.");
  net.w.mutable_grad() = torch::tensor({0.0, 0.0}, torch::kFloat64);
  opt.step(c.lr);
  const double bc1 = 1 - std::pow(0.9, 8), bc2 = 1 - std::pow(0.999, 8);
  const double m0 = 0.9 * 0.2, v0 = 0.999 * 0.04;
  EXPECT_NEAR(net.w[0].item<double>(), 1.0 - 0.1 * (m0 / bc1) / (std::sqrt(v0 / bc2) + 1e-8), 1e-14);
  Checkpoint wrong;
  wrong.put("opt.step", torch::tensor(int64_t{1}));
  wrong.put("opt.m.0", torch::zeros({3}, torch::kFloat64));
  wrong.put("opt.v.0", torch::zeros({3}, torch::kFloat64));
  wrong.source = "old.ddm";
  try {
    opt.load(wrong, "opt.");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("old.ddm: optimiser state 'opt.m.0' has shape [3]"), std::string::npos)
        << e.what();
  }
}

TEST(Optimizer, ScheduledLearningRateWarmsUpOnceThenDecays) {
  // Warm-up: (step + 1) / warmup of the rate, whatever the schedule.
  for (LrSchedule s : {LrSchedule::kConstant, LrSchedule::kLinear, LrSchedule::kCosine})
    EXPECT_DOUBLE_EQ(scheduled_lr(2.0, 10, s, 4, 110), 1.0) << to_string(s);
  EXPECT_DOUBLE_EQ(scheduled_lr(2.0, 10, LrSchedule::kConstant, 109, 110), 2.0);
  // Half-way through the decay: linear 1/2, cosine (1 + cos(pi/2)) / 2 = 1/2; a quarter: 3/4 and (1 + 1/sqrt 2) / 2.
  EXPECT_DOUBLE_EQ(scheduled_lr(2.0, 10, LrSchedule::kLinear, 60, 110), 1.0);
  EXPECT_NEAR(scheduled_lr(2.0, 10, LrSchedule::kCosine, 60, 110), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(scheduled_lr(2.0, 10, LrSchedule::kLinear, 35, 110), 1.5);
  EXPECT_NEAR(scheduled_lr(2.0, 10, LrSchedule::kCosine, 35, 110), 1.0 + std::sqrt(0.5), 1e-12);
  // The end: 0, and no negative rate past it.
  EXPECT_DOUBLE_EQ(scheduled_lr(2.0, 10, LrSchedule::kCosine, 110, 110), 0.0);
  EXPECT_DOUBLE_EQ(scheduled_lr(2.0, 10, LrSchedule::kLinear, 200, 110), 0.0);
}

}  // namespace
}  // namespace ddm
