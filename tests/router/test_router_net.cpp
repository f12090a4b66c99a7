// The router's image encoder: narrower (router.channels, GroupNorm groups follow) and on a
// pooled input (router.downsample), the cheap router that keeps `switch` close to `fixed`.
#include <gtest/gtest.h>

#include "config/config.h"
#include "models/network.h"
#include "router/router_net.h"
#include "tiny_configs.h"

namespace ddm {
namespace {

Config small_image_config() {
  Config c;
  c.model = test::tiny_unet(16, {1, 2}, 1, {}, 8);
  return c;
}

RouterArch arch_of(const Config& c) { return router_arch(c.model, c.router, c.diffusion); }
Json arch_json(const Config& c, const std::vector<int64_t>& shape, int k) {
  return router_architecture_json(c.model, c.router, shape, k);
}

TEST(RouterNet, NarrowPooledEncoderGivesLogitsPerExpert) {
  Config c = small_image_config();
  RouterNet full(arch_of(c), {1, 28, 28}, 5, false);
  c.router.channels = 4;  // gcd(8, 4): 4 groups
  c.router.downsample = 2;
  RouterNet cheap(arch_of(c), {1, 28, 28}, 5, false);
  EXPECT_LT(parameter_count(cheap) * 8, parameter_count(full));
  const torch::Tensor x = torch::randn({3, 1, 28, 28});
  const RouterOut out = cheap.forward(x, torch::full({3}, 0.5));
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{3, 5}));
  EXPECT_FALSE(out.velocity.defined());  // MoG-a's router: no derivative head
  const Json arch = arch_json(c, {1, 28, 28}, 5);
  EXPECT_EQ(arch.at("downsample").get<int64_t>(), 2);
  EXPECT_EQ(arch.at("groups").get<int64_t>(), 4);
  // A router without pooling keeps the architecture record it always had (resumable).
  EXPECT_FALSE(arch_json(small_image_config(), {1, 28, 28}, 5).contains("downsample"));
}

TEST(RouterNet, LogitHeadGivesAVelocityWhoseDerivativeSumsToZero) {
  Config c = small_image_config();
  c.router.kind = RouterKind::kMogDa;
  RouterNet net(arch_of(c), {1, 28, 28}, 5, true);
  for (auto& p : net.parameters()) {  // the heads start at zero: give them values
    torch::NoGradGuard no_grad;
    p.normal_(0, 0.1);
  }
  const RouterOut out = net.forward(torch::randn({3, 1, 28, 28}), torch::full({3}, 0.5));
  ASSERT_TRUE(out.velocity.defined());
  const torch::Tensor alpha = torch::softmax(torch::randn({3, 5}), 1);
  const torch::Tensor g = out.derivative(alpha);
  EXPECT_TRUE(torch::allclose(g.sum(1), torch::zeros({3}), 0, 1e-5));
  EXPECT_EQ(arch_json(c, {1, 28, 28}, 5).at("derivative").get<std::string>(), "logit");
  c.router.kind = RouterKind::kMogA;
  EXPECT_FALSE(arch_json(c, {1, 28, 28}, 5).contains("derivative"));
}

// router.velocity_scale=log-snr: the head's output is c per unit log-SNR, so the velocity is the
// unscaled network's times |lambda'(t)|; the architecture record says so (old routers lack it).
TEST(RouterNet, LogSnrScaledVelocityIsTheHeadTimesTheLogSnrRate) {
  Config c;
  c.model.mlp_width = 16;
  c.model.mlp_depth = 1;
  c.router.kind = RouterKind::kMogDa;
  auto make = [&](VelocityScale s) {
    c.router.velocity_scale = s;
    torch::manual_seed(5);
    auto net = std::make_shared<RouterNet>(arch_of(c), std::vector<int64_t>{2}, 3, true);
    net->randomize_heads(1.0);
    return net;
  };
  const auto plain = make(VelocityScale::kNone), scaled = make(VelocityScale::kLogSnr);
  const torch::Tensor x = torch::randn({4, 2}), t = torch::tensor({0.01, 0.2, 0.5, 0.99});
  const torch::Tensor rate = 2 * (Schedule(ScheduleKind::kLinear).dalpha(t) / Schedule(ScheduleKind::kLinear).alpha(t) -
                                  Schedule(ScheduleKind::kLinear).dsigma(t) / Schedule(ScheduleKind::kLinear).sigma(t));
  EXPECT_TRUE(torch::allclose(scaled->forward(x, t).velocity, plain->forward(x, t).velocity * rate.abs().unsqueeze(1),
                              1e-5, 1e-6));
  EXPECT_EQ(arch_json(c, {2}, 3).at("velocity_scale").get<std::string>(), "log-snr");
  c.router.velocity_scale = VelocityScale::kNone;
  EXPECT_FALSE(arch_json(c, {2}, 3).contains("velocity_scale"));
}

// router.derivative_net=separate: the derivative head reads its own encoder (the paper's separate
// alpha and d alpha/dt networks): twice the encoder parameters, recorded in the architecture.
TEST(RouterNet, SeparateDerivativeNetworkHasItsOwnEncoder) {
  Config c = small_image_config();
  c.router.kind = RouterKind::kMogDa;
  const RouterNet shared(arch_of(c), {1, 28, 28}, 5, true);
  c.router.derivative_net = DerivativeNet::kSeparate;
  RouterNet separate(arch_of(c), {1, 28, 28}, 5, true);
  EXPECT_GT(parameter_count(separate), parameter_count(shared) * 19 / 10);
  EXPECT_EQ(arch_json(c, {1, 28, 28}, 5).at("derivative_net").get<std::string>(), "separate");
  for (auto& p : separate.named_parameters()) {  // the alpha head does not read the derivative encoder
    torch::NoGradGuard no_grad;
    if (p.key().rfind("deriv_", 0) == 0) p.value().normal_(0, 0.1);
  }
  const torch::Tensor x = torch::randn({2, 1, 28, 28});
  const RouterOut out = separate.forward(x, torch::full({2}, 0.5));
  EXPECT_EQ(out.logits.abs().max().item<double>(), 0.0);  // zero-initialised alpha head
  EXPECT_GT(out.velocity.abs().max().item<double>(), 0.0);
}

TEST(RouterNet, PoolingThatDoesNotDivideTheImageIsRefused) {
  Config c = small_image_config();
  c.router.downsample = 3;
  try {
    RouterNet net(arch_of(c), {1, 28, 28}, 5, false);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("router.downsample=3"), std::string::npos) << e.what();
  }
}

// Benchmarks' untrained routers: the heads' weights are drawn from the global generator, the
// alpha head's then the derivative head's, the very draws that benchmark results were made with
// (by name, "*head.weight"); the encoder and the biases stay as initialised.
TEST(RouterNet, RandomizedHeadsDrawTheBenchmarksValuesAndMoveNothingElse) {
  Config c = small_image_config();
  c.router.kind = RouterKind::kMogDa;
  auto fresh = [&] {
    torch::manual_seed(3);
    return std::make_shared<RouterNet>(arch_of(c), std::vector<int64_t>{1, 28, 28}, 5, true);
  };
  const auto initial = fresh(), randomized = fresh(), by_name = fresh();
  torch::manual_seed(7);
  randomized->randomize_heads(0.5);
  torch::manual_seed(7);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : by_name->named_parameters())
      if (p.key().find("head.weight") != std::string::npos) p.value().normal_(0, 0.5);
  }
  const auto want = by_name->named_parameters(), before = initial->named_parameters();
  int moved = 0;
  for (const auto& p : randomized->named_parameters()) {
    EXPECT_TRUE(torch::equal(p.value(), want[p.key()])) << p.key();
    if (!torch::equal(p.value(), before[p.key()])) ++moved;
  }
  EXPECT_EQ(moved, 2);  // alpha_head.weight and deriv_head.weight
}

}  // namespace
}  // namespace ddm
