// The CUDA path (docs/gpu.md): sampling on a GPU gives what the CPU gives, in float32
// and (looser) with bf16 autocast and channels-last weights. Skipped without CUDA.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "config/config.h"
#include "sample/sampler.h"
#include "tiny_configs.h"

namespace ddm {
namespace {

Config tiny_config() { return test::tiny_sampling_config(8, 12); }

void to_device(SamplingModel& m, torch::Device d) {
  for (auto& e : m.experts) e.net->to(d);
  for (auto& n : m.router->nets) n->to(d);
}

class CudaSampling : public ::testing::TestWithParam<RoutingRule> {};

TEST_P(CudaSampling, MatchesTheCpuInFloat32AndCloselyInBf16ChannelsLast) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  Config cfg = tiny_config();
  cfg.sample.rule = GetParam();
  // K = 3 fresh tiny U-Net experts on 1x16x16 images and a MoG-a router (used by `mixture`).
  SamplingModel model = untrained_sampling_model(cfg, {1, 16, 16}, 3, RouterKind::kMogA, torch::kCPU);
  const torch::Tensor cpu = generate_samples(model, cfg.sample, torch::kCPU, false).samples;
  to_device(model, torch::kCUDA);
  SampleConfig fp32 = cfg.sample;
  fp32.bf16 = Bf16Mode::kOff;
  fp32.channels_last = false;
  const torch::Tensor gpu = generate_samples(model, fp32, torch::kCUDA, false).samples;
  EXPECT_LT((gpu - cpu).abs().max().item<double>(), 2e-2);  // TF32 convolutions: ~1e-3 relative
  prepare_for_device(model, cfg.sample, torch::kCUDA);      // channels-last weights
  const torch::Tensor fast = generate_samples(model, cfg.sample, torch::kCUDA, false).samples;
  EXPECT_EQ(fast.scalar_type(), torch::kFloat32);
  EXPECT_LT((fast - cpu).abs().mean().item<double>(), 5e-2);
}

INSTANTIATE_TEST_SUITE_P(Rules, CudaSampling, ::testing::Values(RoutingRule::kFixed, RoutingRule::kMixture),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace ddm
