// The U-Net's published parameter count and its shapes for every supported input; the MLP.
#include <gtest/gtest.h>

#include "models/mlp.h"
#include "models/network.h"
#include "models/unet.h"

namespace ddm {
namespace {

TEST(UNet, CifarSettingsHaveThePublishedParameterCount) {
  UNetOptions o;  // defaults: 3 channels, 32 px, 128 channels, 1,2,2,2, 2 blocks, attention at 16
  UNet net(o);
  EXPECT_EQ(parameter_count(net), 35746307);
}

TEST(UNet, WorksForGreyAndColourAtEverySupportedSize) {
  torch::NoGradGuard no_grad;
  for (int64_t c : {1, 3}) {
    for (int64_t r : {28, 32, 64}) {
      UNetOptions o;
      o.in_channels = c;
      o.resolution = r;
      o.channels = 8;
      o.groups = 4;
      o.channel_mult = {1, 2, 2, 2};
      o.num_res_blocks = 1;
      o.attn_resolutions = {static_cast<int>(r / 2)};
      UNet net(o);
      const auto x = torch::randn({2, c, r, r});
      const auto y = net.forward(x, torch::tensor({0.1f, 0.9f}));
      EXPECT_EQ(y.sizes(), x.sizes()) << c << "x" << r;
      EXPECT_EQ(net.encode(x, torch::tensor({0.1f, 0.9f})).sizes(), (std::vector<int64_t>{2, 16}));
    }
  }
}

TEST(UNet, FactoryReadsTheModelConfigAndRefusesMismatchedData) {
  ModelConfig cfg;
  cfg.channels = 16;
  cfg.groups = 8;
  cfg.channel_mult = {1, 2};
  cfg.attn_resolutions = {14};
  const auto net = make_network(cfg, {1, 28, 28});
  EXPECT_NE(std::dynamic_pointer_cast<UNet>(net), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<MlpNet>(make_network(cfg, {2})), nullptr);
  cfg.arch = ModelArch::kUnet;
  EXPECT_THROW(make_network(cfg, {2}), Error);
}

TEST(Mlp, ShapesAndZeroInitialOutput) {
  MlpNet net(2, 32, 3);
  const auto y = net.forward(torch::randn({5, 2}), torch::rand({5}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(y.abs().max().item<float>(), 0.0f);  // the output layer starts at zero (DDPM init)
}

}  // namespace
}  // namespace ddm
