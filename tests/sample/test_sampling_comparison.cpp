// The network-level comparisons' CPU stand-in (tests/sample/sampling_comparison.h): the CUDA
// test's model on the CPU against itself with one layer 5% off in every expert must fail both
// bounds that CudaSampling applies to CUDA against the CPU, and against itself in another memory
// layout pass them. Without this, a bound loose enough to pass any network would look like a
// check.
#include <gtest/gtest.h>

#include "config/config.h"
#include "sample/sampler.h"
#include "sample/sampling_comparison.h"
#include "tiny_configs.h"

namespace ddm {
namespace {

TEST(SamplingComparison, APerturbedLayerFailsTheCudaBoundsAndAnotherLayoutPasses) {
  Config cfg = test::tiny_sampling_config(8, 12);  // CudaSampling's setup
  SamplingModel model = untrained_sampling_model(cfg, {1, 16, 16}, 3, RouterKind::kMogA, torch::kCPU);
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({6, 1, 16, 16}), t = torch::rand({6});
  const torch::Tensor zero = test::network_outputs(model, x, t, torch::kCPU, false);
  test::randomize_experts(model);
  const torch::Tensor reference = test::network_outputs(model, x, t, torch::kCPU, false);
  EXPECT_GT(test::mean_relative(reference, zero), 0.5) << "the experts' outputs come from random weights";
  cfg.sample.channels_last = true;
  prepare_for_device(model, cfg.sample, torch::kCPU);  // channels-last weights (and bf16 copies)
  EXPECT_LT(test::max_relative(reference, test::network_outputs(model, x, t, torch::kCPU, false)),
            test::kFp32MaxRelative);
  test::perturb_one_layer(model);
  const torch::Tensor perturbed = test::network_outputs(model, x, t, torch::kCPU, false);
  const double max_rel = test::max_relative(reference, perturbed), mean_rel = test::mean_relative(reference, perturbed);
  std::printf("conv_out 5%% off: max relative %.3f, mean relative %.3f\n", max_rel, mean_rel);
  EXPECT_GT(max_rel, test::kFp32MaxRelative);
  EXPECT_GT(mean_rel, test::kBf16MeanRelative);
}

}  // namespace
}  // namespace ddm
