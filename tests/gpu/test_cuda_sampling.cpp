// The CUDA path (docs/gpu.md): sampling on a GPU gives what the CPU gives, in float32
// and (looser) with bf16 autocast and channels-last weights: the experts' and router's outputs at
// fixed inputs, every expert weight random (tests/sample/sampling_comparison.h;
// unit.SamplingComparison shows that these bounds fail when one layer is 5% off), then the samples
// as a smoke check. Skipped without CUDA.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "config/config.h"
#include "sample/sampler.h"
#include "sample/sampling_comparison.h"
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
  // K = 3 tiny U-Net experts on 1x16x16 images, every weight random, and a MoG-a router (`mixture`).
  SamplingModel model = untrained_sampling_model(cfg, {1, 16, 16}, 3, RouterKind::kMogA, torch::kCPU);
  test::randomize_experts(model);
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({6, 1, 16, 16}), t = torch::rand({6});
  const torch::Tensor cpu_out = test::network_outputs(model, x, t, torch::kCPU, false);
  const torch::Tensor cpu = generate_samples(model, cfg.sample, torch::kCPU, false).samples;
  to_device(model, torch::kCUDA);
  const double fp32_rel = test::max_relative(cpu_out, test::network_outputs(model, x, t, torch::kCUDA, false));
  EXPECT_LT(fp32_rel, test::kFp32MaxRelative);
  SampleConfig fp32 = cfg.sample;
  fp32.bf16 = Bf16Mode::kOff;
  fp32.channels_last = false;
  const torch::Tensor gpu = generate_samples(model, fp32, torch::kCUDA, false).samples.cpu();
  prepare_for_device(model, cfg.sample, torch::kCUDA);  // bf16 autocast, channels-last weights
  const double bf16_rel = test::mean_relative(cpu_out, test::network_outputs(model, x, t, torch::kCUDA, true));
  EXPECT_LT(bf16_rel, test::kBf16MeanRelative);
  const torch::Tensor fast = generate_samples(model, cfg.sample, torch::kCUDA, false).samples.cpu();
  EXPECT_EQ(fast.scalar_type(), torch::kFloat32);
  // The samples (mostly clamped at +-1 for such networks) as a smoke check of the whole path.
  EXPECT_LT((gpu - cpu).abs().mean().item<double>(), 5e-2);
  EXPECT_LT((fast - cpu).abs().mean().item<double>(), 5e-2);
  std::printf("%s: networks on CUDA fp32, max relative %.2e; bf16 channels-last, mean relative %.2e\n",
              to_string(GetParam()).c_str(), fp32_rel, bf16_rel);
}

INSTANTIATE_TEST_SUITE_P(Rules, CudaSampling, ::testing::Values(RoutingRule::kFixed, RoutingRule::kMixture),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace ddm
