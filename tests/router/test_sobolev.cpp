// The Sobolev router's derivative (design.md section 4) against closed forms and the exact
// posterior: the central difference along (v, 1) and the double-backward JVP agree with the
// analytic total derivative of a softmax-linear alpha; the difference's error is second order;
// along the exact PF-ODE the exact alpha's difference is the exact d alpha/dt.
#include <gtest/gtest.h>

#include "config/config.h"
#include "router/blobs.h"
#include "router/exact_posterior.h"
#include "router/router_net.h"
#include "router/sobolev.h"

namespace ddm {
namespace {

// alpha = softmax(W x + b t): along (v, 1) its derivative is alpha (s - <alpha, s>), s = W v + b.
struct SoftmaxLinear {
  torch::Tensor w = torch::randn({3, 4}, torch::kFloat64), b = torch::randn({4}, torch::kFloat64);
  torch::Tensor operator()(const torch::Tensor& x, const torch::Tensor& t) const {
    return torch::softmax(x.matmul(w) + t.unsqueeze(1) * b, 1);
  }
  torch::Tensor derivative(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& v) const {
    const torch::Tensor a = (*this)(x, t), s = v.matmul(w) + b;
    return a * (s - (a * s).sum(1, true));
  }
};

TEST(Sobolev, DifferenceAndJvpMatchTheClosedForm) {
  torch::manual_seed(0);
  const SoftmaxLinear f;
  const torch::Tensor x = torch::randn({8, 3}, torch::kFloat64), v = torch::randn({8, 3}, torch::kFloat64);
  const torch::Tensor t = torch::rand({8}, torch::kFloat64);
  const torch::Tensor want = f.derivative(x, t, v);
  const torch::Tensor jvp = directional_jvp(f, x, t, v);
  EXPECT_LT((jvp - want).abs().max().item<double>(), 1e-12);
  // Second order: halving the step divides the error by about 4.
  const auto err = [&](double dt) {
    return (directional_difference(f, x, t, v, torch::full({8}, dt, torch::kFloat64)).derivative - want)
        .abs()
        .max()
        .item<double>();
  };
  EXPECT_LT(err(1e-3), 1e-5);
  EXPECT_NEAR(err(2e-3) / err(1e-3), 4.0, 0.2);
  // The value is f at the centre.
  EXPECT_EQ((directional_difference(f, x, t, v, torch::full({8}, 1e-3, torch::kFloat64)).value - f(x, t))
                .abs()
                .max()
                .item<double>(),
            0.0);
}

TEST(Sobolev, LogSnrRateIsTheDerivativeOfLogSnr) {
  for (ScheduleKind kind : {ScheduleKind::kLinear, ScheduleKind::kCosine}) {
    const Schedule sch(kind);
    for (double t : {0.002, 0.1, 0.5, 0.9}) {
      const double h = 1e-6 * std::max(t, 1e-3);
      const double fd = (sch.log_snr(t + h) - sch.log_snr(t - h)) / (2 * h);
      const double got = log_snr_rate(sch, torch::tensor({t}, torch::kFloat64)).item<double>();
      EXPECT_NEAR(got, fd, 1e-5 * std::abs(fd)) << to_string(kind) << " t=" << t;
      // The time step of a log-SNR step h: |lambda'| dt = h.
      EXPECT_NEAR(difference_steps(sch, torch::tensor({t}, torch::kFloat64), 0.05).item<double>() * std::abs(got), 0.05,
                  1e-12);
    }
  }
}

TEST(Sobolev, ExactAlphaAlongTheExactFlowHasTheExactDerivative) {
  const test::Blobs b(90, 1);
  const ExactPosterior ex(b.points, b.clusters, b.k, b.sch);
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({12, 3}, torch::kFloat64);
  for (double tt : {0.05, 0.3, 0.7}) {
    const torch::Tensor t = torch::full({12}, tt, torch::kFloat64);
    const PosteriorOut out = ex.compute(x, t, true);
    const torch::Tensor a = b.sch.alpha(t).unsqueeze(1), s = b.sch.sigma(t).unsqueeze(1);
    const torch::Tensor v =
        b.sch.dalpha(t).unsqueeze(1) * out.denoised + b.sch.dsigma(t).unsqueeze(1) * (x - a * out.denoised) / s;
    const AlphaFn alpha = [&](const torch::Tensor& xx, const torch::Tensor& ts) { return ex.compute(xx, ts).alpha; };
    const torch::Tensor g = directional_difference(alpha, x, t, v, difference_steps(b.sch, t, 1e-4)).derivative;
    EXPECT_LT((g - out.dalpha).abs().max().item<double>(), 1e-6 * std::max(1.0, out.dalpha.abs().max().item<double>()))
        << "t=" << tt;
  }
}

TEST(Sobolev, DifferenceOnARouterNetworkConvergesToItsJvp) {
  Config c;
  c.model.mlp_width = 32;
  c.model.mlp_depth = 2;
  torch::manual_seed(4);
  RouterNet net(router_arch(c.model, c.router, c.diffusion), {2}, 3, false);
  net.to(torch::kFloat64);
  net.randomize_heads(1.0);
  const AlphaFn f = [&](const torch::Tensor& x, const torch::Tensor& t) {
    return torch::softmax(net.forward(x, t).logits, 1);
  };
  const torch::Tensor x = torch::randn({16, 2}, torch::kFloat64), v = torch::randn({16, 2}, torch::kFloat64);
  const torch::Tensor t = torch::rand({16}, torch::kFloat64) * 0.8 + 0.1;
  const torch::Tensor jvp = directional_jvp(f, x, t, v);
  const auto err = [&](double dt) {
    return (directional_difference(f, x, t, v, torch::full({16}, dt, torch::kFloat64)).derivative - jvp)
               .norm()
               .item<double>() /
           jvp.norm().item<double>();
  };
  // The time embedding's fastest frequency is 1000 per unit t: the difference is second order
  // once 1000 dt << 1.
  EXPECT_LT(err(1e-6), 1e-6);
  EXPECT_GT(err(4e-5) / err(2e-5), 3.5);
  EXPECT_LT(err(4e-5) / err(2e-5), 4.5);
  // The loss: zero at the target, the mean of squares per unit log-SNR otherwise.
  const torch::Tensor rate = torch::full({16}, -2.0, torch::kFloat64);
  EXPECT_EQ(sobolev_error(jvp, jvp, rate).item<double>(), 0.0);
  EXPECT_NEAR(sobolev_error(jvp + 1.0, jvp, rate).item<double>(), 0.25, 1e-12);
}

}  // namespace
}  // namespace ddm
