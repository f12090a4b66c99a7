// Trained routers on a 2-D mixture against the exact posterior (issue: MoG-a alpha within 0.05
// mean absolute error; MoG-da's alpha, integrated along exact PF-ODE paths, within 0.1).
#include <gtest/gtest.h>

#include "models/checkpoint.h"
#include "router/exact_examples.h"
#include "router/router_trainer.h"
#include "run/layout.h"
#include "test_util.h"
#include "tiny_configs.h"

namespace ddm {
namespace {

Config toy_router_config(RouterKind kind) {
  Config c = test::toy2d_mlp(4, 800, 64, 2);
  c.data.toy_std = 0.15;
  c.shards.k = 4;
  c.router.kind = kind;
  c.router.targets = RouterTargets::kExact;  // the trained router is checked against the exact posterior
  c.router.batch_size = 256;
  c.router.lr = 3e-3;
  c.router.steps = 600;
  c.router.stage2_steps = 400;
  c.router.eval_samples = 400;
  c.train.log_every = 100;
  c.train.checkpoint_every = 10000;
  return c;
}

RouterRunResult train(const Config& cfg, const std::string& dir) {
  const Dataset data = load_dataset(cfg.data);
  const ShardManifest m = make_shards(data, cfg.data, cfg.shards);
  RouterRunOptions o;
  o.cfg = cfg;
  o.dir = dir;
  o.progress = false;
  return train_router(o, data, m);
}

TEST(RouterTrainer, MogAAlphaIsCloseToTheExactPosterior) {
  test::TempDir dir;
  const RouterRunResult r = train(toy_router_config(RouterKind::kMogA), dir.path());
  ASSERT_EQ(r.intervals.size(), 3u);
  for (const auto& e : r.intervals) EXPECT_LT(e.alpha_mae, 0.05) << e.name;
  EXPECT_TRUE(std::isnan(r.integrated_tv));
  // The checkpoint loads as a router and gives the same alpha.
  const Router loaded = load_router(r.loop.checkpoint, torch::kCPU);
  EXPECT_EQ(loaded.meta.k, 4);
  const auto x = torch::randn({3, 2});
  EXPECT_NEAR(loaded.alpha(x, 0.5).sum(1).mean().item<double>(), 1.0, 1e-5);
}

// Cross-entropy on shard labels alone has the posterior as its minimiser (design.md section 4c):
// trained without ever building the exact posterior, MoG-a's alpha lands close to it, measured
// afterwards against the exact examples of the same data.
TEST(RouterTrainer, LabelsAloneLearnTheExactPosterior) {
  test::TempDir dir;
  Config cfg = toy_router_config(RouterKind::kMogA);
  cfg.router.targets = RouterTargets::kLabels;
  const RouterRunResult r = train(cfg, dir.path());
  for (const auto& e : r.intervals) EXPECT_TRUE(std::isnan(e.alpha_mae)) << e.name;  // no exact posterior here
  const Router loaded = load_router(r.loop.checkpoint, torch::kCPU);
  EXPECT_EQ(loaded.meta.targets, "labels");
  const Dataset data = load_dataset(cfg.data);
  const ShardManifest m = make_shards(data, cfg.data, cfg.shards);
  ExactExamples exact(data, m, loaded.meta.schedule, ExactExampleOptions{});
  const RouterEvaluation ev = evaluate_router(loaded, exact, 400, 4242, Dist(), torch::kCPU);
  // Measured 0.010, 0.017, 0.009 (near data, transition, near noise): as close as MoG-a with the
  // exact targets is asked to be (0.05), with room.
  for (const auto& e : ev.intervals) EXPECT_LT(e.alpha_mae, 0.03) << e.name;
}

// The Sobolev router: an alpha network like MoG-a's whose total derivative along the exact PF-ODE
// is trained toward the exact d alpha/dt. Its alpha is as close as MoG-a's; its derivative points
// the exact one's way (cosine) and errs by well under the exact one's size where d alpha/dt is
// large; the central difference is within 1% of the exact JVP, and the checkpoint loads its EMA
// weights from router-sobolev/. The derivative term is weighted 10 here: at the default 1 the
// alpha term alone fixes the derivative's direction, and a router trained toward the *negated*
// derivative measured nearly the same (near data: error 0.47 against 0.39, cosine 0.79 against
// 0.84); at 10 the negated target gives error 1.18 and cosine 0.37 there, and alpha error 0.078,
// and fails (docs/results/routers.md).
TEST(RouterTrainer, SobolevRouterLearnsAlphaAndItsDerivative) {
  test::TempDir dir;
  Config cfg = toy_router_config(RouterKind::kSobolev);
  cfg.router.sobolev_weight = 10;
  EXPECT_EQ(RunLayout::router_folder(cfg.router.kind), "router-sobolev");
  const RouterRunResult r = train(cfg, dir.path());
  ASSERT_EQ(r.intervals.size(), 3u);
  for (const auto& e : r.intervals) {
    std::printf("%s: alpha error %.4f, d alpha/dt error %.4f against mean |d alpha/dt| %.4f, cosine %.3f\n",
                e.name.c_str(), e.alpha_mae, e.dalpha_mae, e.dalpha_mean, e.dalpha_cosine);
    EXPECT_LT(e.alpha_mae, 0.05) << e.name;
    if (e.name == "near noise") continue;  // d alpha/dt is ten times smaller there (0.08): cosine 0.25
    EXPECT_GT(e.dalpha_cosine, 0.8) << e.name;
    EXPECT_LT(e.dalpha_mae, 0.6 * e.dalpha_mean) << e.name;
  }
  EXPECT_LT(r.difference_error, 0.01);
  const Checkpoint ckpt = load_checkpoint(r.loop.checkpoint);
  ASSERT_TRUE(ckpt.has("ema0.alpha_head.weight"));
  const Router loaded = load_router(r.loop.checkpoint, torch::kCPU);
  ASSERT_EQ(loaded.nets.size(), 1u);
  EXPECT_FALSE(loaded.meta.has_derivative());
  // The EMA weights, not the last step's.
  const torch::Tensor w = loaded.nets[0]->named_parameters()["alpha_head.weight"];
  EXPECT_TRUE(torch::equal(w, ckpt.get("ema0.alpha_head.weight")));
  EXPECT_FALSE(torch::equal(w, ckpt.get("net0.alpha_head.weight")));
  // Loading needs the architecture record, not the training configuration.
  Checkpoint bare = ckpt;
  bare.meta.erase("config");
  const std::string bare_path = dir.path() + "/bare.ddm";
  save_checkpoint(bare_path, bare);
  EXPECT_TRUE(torch::equal(load_router(bare_path, torch::kCPU).alpha(torch::ones({2, 2}), 0.3),
                           loaded.alpha(torch::ones({2, 2}), 0.3)));
}

// Stage 2 starts from stage 1's network, optimiser state and EMA: its first update is a
// continuation (Adam's step count goes on), not a restart. Bounds given in the config are kept.
TEST(RouterTrainer, StageTwoKeepsTheOptimiserState) {
  test::TempDir dir;
  Config cfg = toy_router_config(RouterKind::kMogDa);
  cfg.router.t1 = AutoDouble::of(0.2);
  cfg.router.t2 = AutoDouble::of(0.6);
  cfg.router.steps = 40;
  cfg.router.stage2_steps = 2;
  const RouterRunResult r = train(cfg, dir.path());
  const Checkpoint ckpt = load_checkpoint(r.loop.checkpoint);
  for (int i = 0; i < 3; ++i)  // 40 stage-1 steps, then 2 of its own
    EXPECT_EQ(ckpt.get(format("opt{}.alpha_head.weight.step", i)).item<int64_t>(), 42) << "network " << i;
  const Router loaded = load_router(r.loop.checkpoint, torch::kCPU);
  EXPECT_DOUBLE_EQ(loaded.meta.t1, 0.2);
  EXPECT_EQ(loaded.meta.bounds, "config");
  // A MoG-da router whose record names no derivative head, or the raw one, has the retired raw
  // d alpha/dt head: loading it is an error that names the file and says to retrain.
  for (const char* head : {"", "raw"}) {
    Checkpoint old = ckpt;
    if (*head)
      old.meta["router"]["derivative"] = head;
    else
      old.meta["router"].erase("derivative");
    const std::string path = dir.path() + "/old.ddm";
    save_checkpoint(path, old);
    const std::string e = test::error_of([&] { load_router(path, torch::kCPU); });
    EXPECT_EQ(e.rfind(path + ": ", 0), 0u) << e;
    EXPECT_NE(e.find("retired raw d alpha/dt head; retrain it"), std::string::npos) << e;
  }
}

TEST(RouterTrainer, MogDaIntegratedAlphaEndsCloseToTheExactOne) {
  test::TempDir dir;
  const RouterRunResult r = train(toy_router_config(RouterKind::kMogDa), dir.path());
  EXPECT_LT(r.integrated_tv, 0.1);
  for (const auto& e : r.intervals) EXPECT_FALSE(std::isnan(e.dalpha_mae)) << e.name;
  const Router loaded = load_router(r.loop.checkpoint, torch::kCPU);
  ASSERT_EQ(loaded.nets.size(), 3u);
  ASSERT_TRUE(loaded.meta.has_derivative());
  // Auto bounds: inside (t_min, 1), ordered, recorded with their rule.
  EXPECT_LT(0.001, loaded.meta.t1);
  EXPECT_LT(loaded.meta.t1, loaded.meta.t2);
  EXPECT_LT(loaded.meta.t2, 1.0);
  EXPECT_NE(loaded.meta.bounds.find("auto"), std::string::npos);
  const RouterOut out = loaded.evaluate(torch::randn({5, 2}), 0.4);
  EXPECT_LT(out.derivative(torch::softmax(out.logits, 1)).sum(1).abs().max().item<double>(), 1e-5);
}

}  // namespace
}  // namespace ddm
