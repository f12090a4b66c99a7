// Expert training: the loss falls on a 2-D mixture; stopping (by SIGTERM) and resuming gives
// bitwise the weights of an uninterrupted run on CPU; a non-finite loss stops training and keeps
// the last good checkpoint.
#include <gtest/gtest.h>

#include <csignal>

#include "data/toy.h"
#include "models/checkpoint.h"
#include "test_util.h"
#include "tiny_configs.h"
#include "train/expert_trainer.h"
#include "util/fs.h"

namespace ddm {
namespace {

Config toy_config() {
  Config c = test::toy2d_mlp(8, 2000, 64, 2);
  c.train.batch_size = 256;
  c.train.lr = 3e-3;
  c.train.warmup = 10;
  c.train.ema_decay = 0.99;
  c.train.log_every = 20;
  c.train.checkpoint_every = 1000;
  c.train.preview_count = 0;
  return c;
}

// Tiny grey 8x8 images: exercises the U-Net path with dropout (which draws random numbers).
Dataset tiny_images() {
  torch::manual_seed(3);
  Dataset d;
  d.name = "tiny";
  d.data = torch::randint(0, 256, {40, 1, 8, 8}, torch::kUInt8);
  return d;
}

Config tiny_unet_config() {
  Config c;
  c.model = test::tiny_unet(8, {1, 2}, 1, {4}, 4, 0.2);
  c.train.batch_size = 6;  // 40 examples: batches straddle epochs
  c.train.lr = 1e-3;
  c.train.warmup = 3;
  c.train.ema_decay = 0.9;
  c.train.checkpoint_every = 4;
  c.train.log_every = 2;
  c.train.preview_count = 4;
  c.train.preview_steps = 3;
  c.train.preview_every = 3;
  c.train.steps = 11;
  return c;
}

double first_and_last_loss(const std::string& metrics, double& last) {
  const std::string text = read_file(metrics);
  const Json first = Json::parse(text.substr(0, text.find('\n')));
  const size_t end = text.find_last_of('\n', text.size() - 2);
  last = Json::parse(text.substr(end + 1)).at("loss").get<double>();
  return first.at("loss").get<double>();
}

TEST(ExpertTrainer, LossFallsOnAToyMixture) {
  test::TempDir dir;
  ExpertRunOptions o;
  o.cfg = toy_config();
  o.cfg.train.steps = 300;
  o.dir = dir.path();
  o.progress = false;
  const Dataset data = load_dataset(o.cfg.data);
  const ExpertRunResult r = train_expert(o, data);
  EXPECT_EQ(r.step, 300);
  EXPECT_EQ(r.stop_reason, "done");
  double last = 0;
  const double first = first_and_last_loss(dir / "metrics.jsonl", last);
  EXPECT_GT(first, 0.6);  // eps-prediction starts near E||eps||^2 / d = 1 (zero-initialised output)
  EXPECT_LT(last, 0.5 * first) << "first " << first << " last " << last;
}

std::vector<torch::Tensor> checkpoint_tensors(const std::string& path) {
  std::vector<torch::Tensor> out;
  for (const auto& [name, t] : load_checkpoint(path).tensors) out.push_back(t);
  return out;
}

// In fp32 and with bf16 autocast: the checkpoint holds the fp32 master weights, Adam's
// state and the EMA, and the bf16 forward is deterministic on one machine.
class ExpertResume : public ::testing::TestWithParam<Bf16Mode> {};

TEST_P(ExpertResume, AfterSigtermIsBitwiseIdenticalOnCpu) {
  const Dataset data = tiny_images();
  test::TempDir a, b;
  ExpertRunOptions o;
  o.cfg = tiny_unet_config();
  o.cfg.train.bf16 = GetParam();
  o.progress = false;
  o.dir = a.path();
  const ExpertRunResult straight = train_expert(o, data);
  ASSERT_EQ(straight.step, 11);

  o.dir = b.path();
  o.after_step = [](int64_t step) {
    if (step == 5) std::raise(SIGTERM);
  };
  const ExpertRunResult stopped = train_expert(o, data);
  EXPECT_EQ(stopped.step, 5);
  EXPECT_EQ(stopped.stop_reason, "SIGTERM");
  EXPECT_EQ(stopped.signal, SIGTERM);
  EXPECT_EQ(file_stem(stopped.checkpoint), "ckpt-0000000005");
  o.after_step = nullptr;
  const ExpertRunResult resumed = train_expert(o, data);
  ASSERT_EQ(resumed.step, 11);

  const auto x = checkpoint_tensors(straight.checkpoint), y = checkpoint_tensors(resumed.checkpoint);
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_TRUE(torch::equal(x[i], y[i])) << "tensor " << i;
  EXPECT_TRUE(path_exists(b / "preview.png"));
  EXPECT_TRUE(path_exists(b / "preview_00000003.png"));
  for (const auto& [name, t] : load_checkpoint(resumed.checkpoint).tensors)
    if (t.is_floating_point()) EXPECT_EQ(t.scalar_type(), torch::kFloat32) << name;  // fp32 master weights and state
  if (GetParam() == Bf16Mode::kOn) {  // bf16 was in effect: the weights differ from an fp32 run's
    test::TempDir c;
    o.dir = c.path();
    o.cfg.train.bf16 = Bf16Mode::kOff;
    const auto z = checkpoint_tensors(train_expert(o, data).checkpoint);
    bool differs = false;
    for (size_t i = 0; i < x.size(); ++i) differs |= !torch::equal(x[i], z[i]);
    EXPECT_TRUE(differs);
  }
}

INSTANTIATE_TEST_SUITE_P(Precision, ExpertResume, ::testing::Values(Bf16Mode::kOff, Bf16Mode::kOn),
                         [](const auto& info) { return to_string(info.param); });

// The tiny U-Net for two steps, no preview, in `dir`.
ExpertRunOptions two_step_run(const std::string& dir) {
  ExpertRunOptions o;
  o.cfg = tiny_unet_config();
  o.cfg.train.steps = 2;
  o.cfg.train.preview_count = 0;
  o.progress = false;
  o.dir = dir;
  return o;
}

TEST(ExpertTrainer, ResumingWithAnotherArchitectureIsRefused) {
  const Dataset data = tiny_images();
  test::TempDir dir;
  ExpertRunOptions o = two_step_run(dir.path());
  train_expert(o, data);
  o.cfg.model.channels = 16;
  o.cfg.train.steps = 4;
  const std::string e = test::error_of([&] { train_expert(o, data); });
  EXPECT_NE(e.find("cannot resume: its architecture is"), std::string::npos) << e;
  o.restart = true;  // --restart starts over
  EXPECT_EQ(train_expert(o, data).step, 4);
}

TEST(ExpertTrainer, StartingAFinishedRunAgainReportsItsSavedLoss) {
  const Dataset data = tiny_images();
  test::TempDir dir;
  ExpertRunOptions o = two_step_run(dir.path());
  const ExpertRunResult first = train_expert(o, data);
  const ExpertRunResult again = train_expert(o, data);  // nothing left to run
  EXPECT_EQ(again.step, 2);
  EXPECT_TRUE(std::isfinite(again.loss)) << "was NaN: no step ran, so no logging window";
  EXPECT_EQ(again.loss, first.loss);
}

TEST(ExpertTrainer, NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint) {
  test::TempDir dir;
  ExpertRunOptions o;
  o.cfg = toy_config();
  o.cfg.train.steps = 50;
  o.cfg.train.lr = 1e30;  // the first update sends the weights to ~1e30: the next loss overflows
  o.cfg.train.warmup = 0;
  o.cfg.train.grad_clip = 0;
  o.cfg.train.checkpoint_every = 1;
  o.progress = false;
  o.dir = dir.path();
  const std::string e = test::error_of([&] { train_expert(o, load_dataset(o.cfg.data)); });
  EXPECT_NE(e.find("is not finite: training stopped"), std::string::npos) << e;
  const CheckpointDir ckpts(dir.path(), 3);
  ASSERT_FALSE(ckpts.latest().empty());
  EXPECT_NO_THROW(load_checkpoint(ckpts.latest()));  // intact, and loads
}

}  // namespace
}  // namespace ddm
