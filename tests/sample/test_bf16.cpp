// bf16 on CPUs: the CPU's capability is parsed and logged; autocast is on in the
// expert forward while the solver state, each expert's D, the router's outputs and the exact
// posterior stay float32; off means fp32 everywhere.
#include <gtest/gtest.h>

#include "config/config.h"
#include "models/denoiser.h"
#include "models/network.h"
#include "models/speed_settings.h"
#include "router/exact_posterior.h"
#include "sample/sampler.h"
#include "sample/sampling_comparison.h"
#include "test_util.h"
#include "tiny_configs.h"
#include "util/cpu_features.h"

namespace ddm {
namespace {

TEST(CpuFeatures, ParsesTheFirstProcessorsModelAndBf16Flags) {
  const std::string amx =
      "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu avx2 avx512f avx512_vnni "
      "avx512_bf16 "
      "amx_bf16 amx_tile\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n";
  const CpuFeatures a = parse_cpuinfo(amx);
  EXPECT_EQ(a.model, "Intel(R) Xeon(R) Platinum 8480+");
  EXPECT_TRUE(a.avx512_bf16 && a.amx_bf16 && a.native_bf16());
  EXPECT_EQ(a.describe(), "Intel(R) Xeon(R) Platinum 8480+ (avx512_bf16 amx_bf16 amx_tile avx512f avx512_vnni avx2)");
  const CpuFeatures old = parse_cpuinfo("model name : AMD EPYC 7B12\nflags : fpu avx2 fma\n");
  EXPECT_FALSE(old.native_bf16());
  EXPECT_EQ(old.describe(), "AMD EPYC 7B12 (avx2)");
  EXPECT_FALSE(cpu_features().model.empty());  // this machine's /proc/cpuinfo
}

TEST(Bf16, ModesResolvePerDeviceAndTheCpuNoteSaysWhatItHas) {
  EXPECT_FALSE(use_bf16(Bf16Mode::kAuto, torch::kCPU, "sample.bf16"));
  EXPECT_TRUE(use_bf16(Bf16Mode::kAuto, torch::Device(torch::kCUDA), "sample.bf16"));
  EXPECT_FALSE(use_bf16(Bf16Mode::kOff, torch::Device(torch::kCUDA), "sample.bf16"));
  EXPECT_TRUE(use_bf16(Bf16Mode::kOn, torch::kCPU, "sample.bf16"));
  bool warn = true;
  EXPECT_EQ(bf16_cpu_note(parse_cpuinfo("model name : X\nflags : avx512_bf16\n"), "train.bf16", &warn),
            "train.bf16=on on CPU: native bf16 on X (avx512_bf16)");
  EXPECT_FALSE(warn);
  EXPECT_EQ(
      bf16_cpu_note(parse_cpuinfo("model name : Y\nflags : avx2\n"), "train.bf16", &warn),
      "train.bf16=on on CPU without native bf16 (no avx512_bf16 or amx_bf16 on Y (avx2)): it is emulated and likely "
      "slower than fp32");
  EXPECT_TRUE(warn);
  EXPECT_EQ(parse_enum<Bf16Mode>("true", "train.bf16"), Bf16Mode::kAuto);  // the old boolean's values
  EXPECT_EQ(parse_enum<Bf16Mode>("false", "train.bf16"), Bf16Mode::kOff);
}

Config tiny_config() {
  Config c = test::tiny_sampling_config(6, 8);
  c.sample.rule = RoutingRule::kMixture;
  c.sample.images = false;
  return c;
}

// A freshly initialised tiny U-Net on 1 x 16 x 16 and two inputs to it, from `seed`.
std::tuple<std::shared_ptr<Network>, torch::Tensor, torch::Tensor> tiny_net_and_inputs(const Config& cfg,
                                                                                       uint64_t seed) {
  torch::manual_seed(seed);
  auto net = make_network(cfg.model, {1, 16, 16});
  return {net, torch::randn({2, 1, 16, 16}), torch::full({2}, 0.5)};
}

TEST(Bf16, AutocastRunsTheExpertInBf16AndHandsTheSolverFloat32) {
  const Config cfg = tiny_config();
  const auto [net, x, t] = tiny_net_and_inputs(cfg, 0);
  torch::NoGradGuard no_grad;
  EXPECT_EQ(net->forward(x, t).scalar_type(), torch::kFloat32);
  const AutocastScope bf16(true, torch::kCPU);
  EXPECT_EQ(net->forward(x, t).scalar_type(), torch::kBFloat16);  // the network's arithmetic
  const Schedule sch = Schedule::from_config(cfg.diffusion);
  EXPECT_EQ(network_denoise(*net, sch, Prediction::kEps, x, 0.5).scalar_type(),
            torch::kFloat32);  // what the solver gets
  {
    const AutocastScope fp32(false, torch::kCPU);  // nested off: fp32 again, and on again after
    EXPECT_EQ(net->forward(x, t).scalar_type(), torch::kFloat32);
  }
  EXPECT_EQ(net->forward(x, t).scalar_type(), torch::kBFloat16);
}

TEST(Bf16, ExactPosteriorIgnoresAnEnclosingAutocast) {
  torch::manual_seed(1);
  const torch::Tensor points = torch::randn({50, 1, 4, 4}), clusters = torch::randint(0, 3, {50}, torch::kInt64);
  const ExactPosterior exact(points, clusters, 3, Schedule::from_config(DiffusionConfig{}), torch::kFloat32);
  const torch::Tensor x = torch::randn({6, 1, 4, 4}), t = torch::full({6}, 0.3);
  const PosteriorOut plain = exact.compute(x, t, true);
  const AutocastScope bf16(true, torch::kCPU);
  const PosteriorOut inside = exact.compute(x, t, true);
  EXPECT_EQ(inside.alpha.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(inside.alpha, plain.alpha));
  EXPECT_TRUE(torch::equal(inside.dalpha, plain.dalpha));
  EXPECT_TRUE(torch::equal(exact.denoise_k(x, 0.3, 1), [&] {
    const AutocastScope fp32(false, torch::kCPU);
    return exact.denoise_k(x, 0.3, 1);
  }()));
}

// On experts whose every weight is random (a fresh U-Net predicts 0): bf16 with channels-last
// weights is a rounding of the fp32 networks, inside the bound that one layer 5% off exceeds
// (unit.SamplingComparison); sampling in bf16 hands back float32, and the fp32 weights stay.
TEST(Bf16, SamplingInBf16StaysFloat32AndCloseToFp32) {
  Config cfg = tiny_config();
  SamplingModel model = untrained_sampling_model(cfg, {3, 16, 16}, 3, RouterKind::kMogA, torch::kCPU);
  test::randomize_experts(model);
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({6, 3, 16, 16}), t = torch::rand({6});
  const torch::Tensor fp32_out = test::network_outputs(model, x, t, torch::kCPU, false);
  const torch::Tensor cast_out = test::network_outputs(model, x, t, torch::kCPU, true);  // autocast, NCHW
  std::vector<torch::Tensor> weights;
  for (const auto& p : model.experts[0].net->parameters()) weights.push_back(p.clone());
  auto sample = [&] { return generate_samples(model, cfg.sample, torch::kCPU, false).samples; };
  cfg.sample.bf16 = Bf16Mode::kOn;
  // The sampling path: bf16 copies of the weights, channels-last convolutions and GroupNorm.
  prepare_for_device(model, cfg.sample, torch::kCPU);
  const torch::Tensor bf16_out = test::network_outputs(model, x, t, torch::kCPU, true);
  const double rel = test::mean_relative(fp32_out, bf16_out), layout_rel = test::mean_relative(cast_out, bf16_out);
  std::printf("bf16 channels-last networks against fp32: mean relative %.2e; against bf16 NCHW %.2e\n", rel,
              layout_rel);
  EXPECT_GT(rel, 0.0);                      // bf16 was in effect
  EXPECT_LT(rel, test::kBf16MeanRelative);  // and it is a rounding, not another network
  EXPECT_LT(layout_rel, test::kBf16MeanRelative);
  const torch::Tensor bf16 = sample();
  EXPECT_EQ(bf16.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(bf16, sample()));  // same seed, same result
  size_t i = 0;
  for (const auto& p : model.experts[0].net->parameters())
    EXPECT_TRUE(torch::equal(p.contiguous(), weights[i++])) << "the fp32 weights are untouched by the bf16 copies";
}

TEST(Bf16, SamplesLeaveInNchwThoughTheNetworkRanNhwc) {
  Config cfg = tiny_config();
  cfg.sample.bf16 = Bf16Mode::kOn;
  SamplingModel one =
      untrained_sampling_model(cfg, {3, 16, 16}, 1, std::nullopt, torch::kCPU);  // no ensemble in between
  prepare_for_device(one, cfg.sample, torch::kCPU);
  // (split_batches hands every batch on contiguous: writers and the gather across ranks need it)
  EXPECT_TRUE(generate_samples(one, cfg.sample, torch::kCPU, false).samples.is_contiguous());
}

TEST(Bf16, PreparedLayersUseTheirBf16CopyOnlyUnderAutocast) {
  const Config cfg = tiny_config();
  const auto [net, x, t] = tiny_net_and_inputs(cfg, 2);
  torch::NoGradGuard no_grad;
  for (auto& p : net->parameters()) p.add_(torch::randn_like(p) * 0.05);  // the last layers start at zero
  const torch::Tensor before = net->forward(x, t);
  const torch::Tensor autocast_before = [&] {
    const AutocastScope bf16(true, torch::kCPU);
    return net->forward(x, t);
  }();
  keep_bf16_copies(*net, true);
  EXPECT_TRUE(torch::equal(net->forward(x, t), before));
  const AutocastScope bf16(true, torch::kCPU);
  const torch::Tensor y = net->forward(x.contiguous(torch::MemoryFormat::ChannelsLast), t);
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast)) << "NHWC from the first convolution to the last";
  // The same bf16 weights autocast would make; only the kernels' summation order differs.
  const double scale = autocast_before.to(torch::kFloat32).abs().max().item<double>();
  EXPECT_LT((y.to(torch::kFloat32) - autocast_before.to(torch::kFloat32)).abs().max().item<double>(), 0.05 * scale);
}

}  // namespace
}  // namespace ddm
