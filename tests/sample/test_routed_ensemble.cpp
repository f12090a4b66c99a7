// Routing rules and dispatch (design.md section 5): switching is a martingale around the
// mixture step, one-expert mixtures are exactly plain DDIM, grouped dispatch equals running every
// expert on everything, and with exact experts `mixture` DDIM converges at about 1/N.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "diffusion/solvers.h"
#include "models/denoiser.h"
#include "models/mlp.h"
#include "router/exact_posterior.h"
#include "sample/routed_ensemble.h"
#include "sample/sampler.h"
#include "util/error.h"

namespace ddm {
namespace {

// alpha_hat fixed per row (a test stand-in for a router).
class FixedAlpha : public AlphaProvider {
 public:
  explicit FixedAlpha(torch::Tensor a) : a_(std::move(a)) {}
  torch::Tensor alpha(const torch::Tensor& x, double, const StepPoint&) override {
    return a_.expand({x.size(0), a_.size(1)});
  }

 private:
  torch::Tensor a_;
};

// Expert k: D_k(x) = c_k + 0.3 x (distinct, affine, cheap).
std::vector<DenoiseFn> affine_experts(int k, int dim) {
  std::vector<DenoiseFn> e;
  for (int i = 0; i < k; ++i) {
    const torch::Tensor c = torch::full({1, dim}, static_cast<double>(i) - 1.0, torch::kFloat64);
    e.push_back([c](const torch::Tensor& x, double) { return c + 0.3 * x; });
  }
  return e;
}

TEST(RoutedEnsemble, MeanOfSwitchStepsEqualsTheMixtureStep) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto alpha = torch::tensor({{0.2, 0.5, 0.3}}, torch::kFloat64);
  const auto x1 = torch::randn({1, 2}, torch::kFloat64);
  const int64_t n = 40000;
  const auto x = x1.expand({n, 2}).contiguous();
  const double t = 0.6, t_next = 0.5;
  RoutedEnsemble sw(affine_experts(3, 2), std::make_shared<FixedAlpha>(alpha), RoutingRule::kSwitch, 1, {0.2, 0.5, 0.3},
                    7);
  sw.begin(n, torch::kCPU, 0);
  const StepPoint step{0, t, t_next, true};
  const auto switched = ddim_step(sch, x, sw.denoise(x, t, step), t, t_next);
  RoutedEnsemble mix(affine_experts(3, 2), std::make_shared<FixedAlpha>(alpha), RoutingRule::kMixture, 1,
                     {0.2, 0.5, 0.3}, 7);
  mix.begin(1, torch::kCPU, 0);
  const auto mixed = ddim_step(sch, x1, mix.denoise(x1, t, step), t, t_next);
  // The switch step's spread is a(t') D-spread ~ 0.8 per coordinate: the mean's error ~ 0.8/sqrt(n).
  const double tol = 5 * 0.8 / std::sqrt(static_cast<double>(n));
  EXPECT_LT((switched.mean(0, true) - mixed).abs().max().item<double>(), tol);
  EXPECT_EQ(sw.evaluations(), n);   // one evaluation per sample
  EXPECT_EQ(mix.evaluations(), 3);  // K per sample
}

TEST(RoutedEnsemble, OneExpertMixtureIsPlainDdimBitForBit) {
  torch::manual_seed(0);
  auto net = std::make_shared<MlpNet>(2, 16, 2);
  {
    torch::NoGradGuard g;
    for (auto& p : net->parameters()) p.normal_(0, 0.3);
  }
  const Schedule sch(ScheduleKind::kLinear);
  const DenoiseFn expert = make_denoiser(net, sch, Prediction::kEps);
  const auto noise = torch::randn({16, 2});
  const auto grid = time_grid(sch, 12, Spacing::kUniform, 1e-3);
  RoutedEnsemble mix({expert}, std::make_shared<FixedAlpha>(torch::ones({1, 1})), RoutingRule::kMixture, 1, {1.0}, 0);
  mix.begin(16, torch::kCPU, 0);
  const auto a = solve_ode(sch, mix.as_denoiser(), noise, grid, SolverKind::kDdim);
  const auto b = solve_ode(sch, step_free(expert), noise, grid, SolverKind::kDdim);
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(RoutedEnsemble, DispatchEqualsRunningEveryExpertAndSelectingRows) {
  torch::manual_seed(1);
  const Schedule sch(ScheduleKind::kLinear);
  std::vector<DenoiseFn> experts;
  for (int k = 0; k < 4; ++k) {
    auto net = std::make_shared<MlpNet>(2, 16, 2);
    torch::NoGradGuard g;
    for (auto& p : net->parameters()) p.normal_(0, 0.3);
    experts.push_back(make_denoiser(net, sch, Prediction::kEps));
  }
  RoutedEnsemble ens(experts, nullptr, RoutingRule::kFixed, 1, {0.25, 0.25, 0.25, 0.25}, 3);
  const auto x = torch::randn({50, 2});
  const auto choice = torch::randint(0, 4, {50}, torch::kInt64);
  const auto got = ens.dispatch(x, 0.4, choice);
  std::vector<torch::Tensor> all;
  for (const auto& e : experts) all.push_back(e(x, 0.4));
  const auto want = torch::stack(all).permute({1, 0, 2}).index({torch::arange(50), choice});
  EXPECT_TRUE(torch::allclose(got, want, 1e-6, 1e-6));
  EXPECT_EQ(ens.evaluations(), 50);
}

// On a multi-threaded CPU the experts' groups run concurrently (one per thread): same rows,
// same outputs as one after another, and the caller's grad mode reaches the workers.
TEST(RoutedEnsemble, ConcurrentGroupsMatchSerialAndKeepTheCallersGradMode) {
  const int threads = at::get_num_threads();
  torch::manual_seed(2);
  const Schedule sch(ScheduleKind::kLinear);
  std::vector<std::shared_ptr<MlpNet>> nets;
  std::atomic<int> grad_on{0}, in_parallel{0};
  std::vector<DenoiseFn> experts;
  for (int k = 0; k < 4; ++k) {
    nets.push_back(std::make_shared<MlpNet>(2, 16, 2));
    experts.push_back([&, net = nets.back()](const torch::Tensor& x, double t) {
      grad_on += at::GradMode::is_enabled();
      in_parallel += at::in_parallel_region();
      return net->forward(x, torch::full({x.size(0)}, t));
    });
  }
  const auto x = torch::randn({40, 2});
  const auto choice = torch::randint(0, 4, {40}, torch::kInt64);
  const auto alpha = torch::softmax(torch::randn({40, 4}), 1);
  auto run = [&](int n) {
    at::set_num_threads(n);
    torch::NoGradGuard no_grad;
    RoutedEnsemble fixed(experts, nullptr, RoutingRule::kFixed, 1, {0.25, 0.25, 0.25, 0.25}, 3);
    RoutedEnsemble mix(experts, std::make_shared<FixedAlpha>(alpha), RoutingRule::kMixture, 1, {0.25, 0.25, 0.25, 0.25},
                       3);
    mix.begin(40, torch::kCPU, 0);
    return std::make_pair(fixed.dispatch(x, 0.3, choice), mix.denoise(x, 0.3, StepPoint{0, 0.3, 0.2, true}));
  };
  const auto serial = run(1);
  EXPECT_EQ(in_parallel.load(), 0);
  const auto concurrent = run(2);
  at::set_num_threads(threads);
  EXPECT_EQ(in_parallel.load(), 8);  // 4 groups in dispatch + 4 in the mixture, all on workers
  EXPECT_EQ(grad_on.load(), 0);
  EXPECT_TRUE(torch::equal(serial.first, concurrent.first));
  EXPECT_TRUE(torch::allclose(serial.second, concurrent.second, 1e-6, 1e-6));
  EXPECT_FALSE(concurrent.first.requires_grad());
}

TEST(RoutedEnsemble, FixedRuleHoldsItsDrawAndStatisticsCountIt) {
  RoutedEnsemble ens(affine_experts(3, 2), nullptr, RoutingRule::kFixed, 1, {0.2, 0.5, 0.3}, 11);
  const Schedule sch(ScheduleKind::kLinear);
  ens.begin(300, torch::kCPU, 0);
  solve_ode(sch, ens.as_denoiser(), torch::randn({300, 2}, torch::kFloat64), time_grid(sch, 4, Spacing::kUniform, 1e-3),
            SolverKind::kDdim);
  const auto& st = ens.stats();
  ASSERT_EQ(st.size(), 4u);  // one entry per step
  for (size_t n = 1; n < st.size(); ++n) EXPECT_EQ(st[n].changes, 0);
  EXPECT_NEAR(static_cast<double>(st[0].counts[1]) / 300, 0.5, 0.1);
}

// Four noisy clusters on a circle in 2-D, float64: the exact posterior, and its K exact experts.
std::pair<std::shared_ptr<ExactPosterior>, std::vector<DenoiseFn>> exact_circle(int k) {
  torch::manual_seed(4);
  const auto cl = torch::arange(400, torch::kInt64) % k;
  const auto ang = cl.to(torch::kFloat64) * (2 * M_PI / k);
  const auto pts = torch::stack({torch::cos(ang), torch::sin(ang)}, 1) + 0.15 * torch::randn({400, 2}, torch::kFloat64);
  auto exact = std::make_shared<ExactPosterior>(pts, cl, k, Schedule(ScheduleKind::kLinear));
  std::vector<DenoiseFn> experts;
  for (int c = 0; c < k; ++c)
    experts.push_back([exact, c](const torch::Tensor& x, double t) { return exact->denoise_k(x, t, c); });
  return {exact, experts};
}

// An independent check of the ensemble (design.md section 5): under the oracle alpha, `mixture`
// of the exact experts is the exact denoiser of all the data (the posterior-weighted sum of the
// clusters' means is the data's posterior mean), and `top1` / `topk` apply their closed-form
// weights, computed here by hand from alpha.
TEST(RoutedEnsemble, UnderTheOracleMixtureIsTheExactDenoiserAndTopKIsItsClosedForm) {
  const int k = 4;
  const auto [exact, experts] = exact_circle(k);
  torch::manual_seed(5);
  const torch::Tensor x = 1.5 * torch::randn({32, 2}, torch::kFloat64);
  for (double t : {0.05, 0.3, 0.8}) {
    const StepPoint step{0, t, 0.0, true};
    auto denoise = [&](RoutingRule rule, int topk) {
      RoutedEnsemble ens(experts, std::make_shared<OracleAlpha>(exact), rule, topk, std::vector<double>(k, 0.25), 0);
      ens.begin(x.size(0), torch::kCPU, 0);
      return ens.denoise(x, t, step);
    };
    const torch::Tensor want = exact->denoise(x, t);
    EXPECT_LT((denoise(RoutingRule::kMixture, 1) - want).abs().max().item<double>(), 1e-10) << "t = " << t;
    const torch::Tensor alpha = exact->alpha(x, t);
    std::vector<torch::Tensor> d;
    for (int c = 0; c < k; ++c) d.push_back(exact->denoise_k(x, t, c));
    torch::Tensor top1 = torch::zeros_like(x), top2 = torch::zeros_like(x);
    for (int64_t i = 0; i < x.size(0); ++i) {
      std::vector<std::pair<double, int>> a;
      for (int c = 0; c < k; ++c) a.emplace_back(alpha[i][c].item<double>(), c);
      std::sort(a.rbegin(), a.rend());
      top1[i] = d[a[0].second][i];
      top2[i] = (a[0].first * d[a[0].second][i] + a[1].first * d[a[1].second][i]) / (a[0].first + a[1].first);
    }
    EXPECT_LT((denoise(RoutingRule::kTop1, 1) - top1).abs().max().item<double>(), 1e-12) << "t = " << t;
    EXPECT_LT((denoise(RoutingRule::kTopK, 2) - top2).abs().max().item<double>(), 1e-12) << "t = " << t;
    EXPECT_GT((top2 - want).abs().max().item<double>(), 1e-3) << "t = " << t << ": top-2 is not the mixture here";
  }
}

TEST(RoutedEnsemble, MixtureOfExactExpertsConvergesAtOneOverN) {
  // design.md section 6: exact experts D_k and exact alpha make `mixture` the exact PF-ODE
  // velocity, so DDIM's pathwise error falls as O(1/N).
  const int k = 4;
  const auto [exact, experts] = exact_circle(k);
  const Schedule sch(ScheduleKind::kLinear);
  const auto noise = torch::randn({64, 2}, torch::kFloat64);
  auto run = [&](int steps, SolverKind solver) {
    RoutedEnsemble ens(experts, std::make_shared<OracleAlpha>(exact), RoutingRule::kMixture, 1,
                       std::vector<double>(k, 0.25), 0);
    ens.begin(64, torch::kCPU, 0);
    // x_N, the ODE state whose pathwise error the theory bounds (the landing step's x0 estimate).
    return solve_ode(sch, ens.as_denoiser(), noise.to(torch::kFloat32).to(torch::kFloat64),
                     time_grid(sch, steps, Spacing::kUniform, 0.05), solver);
  };
  // The reference is the exact PF-ODE, not DDIM's own many-step answer: the mixture of exact
  // experts is the exact denoiser (the test above), solved by 640 second-order Heun steps, whose
  // error is far below DDIM's at N = 80. The bounds follow from the order (below).
  const auto ref = run(640, SolverKind::kHeun);
  std::vector<double> ln_n, ln_err;
  for (int n : {10, 20, 40, 80}) {
    ln_n.push_back(std::log(n));
    ln_err.push_back(std::log((run(n, SolverKind::kDdim) - ref).pow(2).sum(1).sqrt().mean().item<double>()));
  }
  // Least-squares slope of log err against log N.
  double mx = 0, my = 0;
  for (size_t i = 0; i < ln_n.size(); ++i) mx += ln_n[i] / 4, my += ln_err[i] / 4;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < ln_n.size(); ++i)
    sxy += (ln_n[i] - mx) * (ln_err[i] - my), sxx += (ln_n[i] - mx) * (ln_n[i] - mx);
  const double slope = sxy / sxx;
  std::printf("mixture DDIM against the exact PF-ODE: pathwise error ~ N^%.3f\n", slope);
  // First order (DDIM): at least N^-0.8, and clearly short of a second-order method's N^-2 (over
  // N = 10..80 the curve is still steeper than its asymptote 1: measured -1.24).
  EXPECT_GT(slope, -1.6);
  EXPECT_LT(slope, -0.8);
}

}  // namespace
}  // namespace ddm

namespace ddm {
namespace {

// Experts and routers that do not belong together are refused before sampling.
TEST(SamplingModel, MismatchedExpertsAndRoutersAreRefused) {
  auto expert = [](int shard, int k, std::vector<int64_t> shape, ScheduleKind sch) {
    Expert e;
    e.path = format("expert-{}.ddm", shard);
    e.meta.shard = shard;
    e.meta.k = k;
    e.meta.sample_shape = std::move(shape);
    e.meta.schedule = Schedule(sch);
    return e;
  };
  const std::vector<Expert> good{expert(0, 2, {2}, ScheduleKind::kLinear), expert(1, 2, {2}, ScheduleKind::kLinear)};
  EXPECT_NO_THROW(check_compatible(good, nullptr, 2));
  auto err = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(err([&] {
              check_compatible({good[0], expert(1, 2, {2}, ScheduleKind::kCosine)}, nullptr, 2);
            }).find("expert-1.ddm: its schedule (cosine)"),
            std::string::npos);
  EXPECT_NE(err([&] {
              check_compatible({good[0], expert(1, 2, {3}, ScheduleKind::kLinear)}, nullptr, 2);
            }).find("its samples have shape [3]"),
            std::string::npos);
  EXPECT_NE(err([&] {
              check_compatible({good[0], expert(1, 3, {2}, ScheduleKind::kLinear)}, nullptr, 2);
            }).find("an expert for K = 3"),
            std::string::npos);
  Router r;
  r.path = "router.ddm";
  r.meta.k = 3;
  r.meta.sample_shape = {2};
  EXPECT_NE(err([&] { check_compatible(good, &r, 2); }).find("router.ddm: a router for K = 3, but there are 2 experts"),
            std::string::npos);
  r.meta.k = 2;
  r.meta.sample_shape = {1, 28, 28};
  EXPECT_NE(err([&] { check_compatible(good, &r, 2); }).find("the router's samples have shape [1, 28, 28]"),
            std::string::npos);
}

// The per-step contract (diffusion/solvers.h) under every solver.
const std::vector<SolverKind> kAllSolvers{SolverKind::kDdim, SolverKind::kEuler, SolverKind::kHeun,
                                          SolverKind::kDpmpp2m};

TEST(RoutedEnsemble, SwitchWithHeunKeepsOneExpertPerSampleForTheWholeStep) {
  const Schedule sch(ScheduleKind::kLinear);
  const int steps = 6;
  const auto alpha = torch::tensor({{0.2, 0.5, 0.3}}, torch::kFloat64);
  RoutedEnsemble ens(affine_experts(3, 2), std::make_shared<FixedAlpha>(alpha), RoutingRule::kSwitch, 1,
                     {0.2, 0.5, 0.3}, 5);
  ens.begin(200, torch::kCPU, 0);
  solve_ode(sch, ens.as_denoiser(), torch::randn({200, 2}, torch::kFloat64),
            time_grid(sch, steps, Spacing::kUniform, 0.05), SolverKind::kHeun);
  // Heun evaluates twice in steps 0..N-2 and once in its last (Euler) step: if the second
  // evaluation drew again, an expert's evaluations would not be twice its draws.
  const auto& st = ens.stats();
  ASSERT_EQ(st.size(), static_cast<size_t>(steps));
  for (int k = 0; k < 3; ++k) {
    int64_t want = 0;
    for (int n = 0; n < steps; ++n)
      want += st[static_cast<size_t>(n)].counts[static_cast<size_t>(k)] * (n < steps - 1 ? 2 : 1);
    EXPECT_EQ(ens.expert_evaluations()[static_cast<size_t>(k)], want) << "expert " << k;
  }
  EXPECT_EQ(ens.evaluations(), 200 * evaluations_per_sample(SolverKind::kHeun, steps));
}

TEST(RoutedEnsemble, IntegratedAlphaAdvancesOncePerStepAtItsStartUnderEverySolver) {
  const Schedule sch(ScheduleKind::kLinear);
  const int steps = 5;
  const auto grid = time_grid(sch, steps, Spacing::kUniform, 0.05);
  for (SolverKind solver : kAllSolvers) {
    std::vector<double> reads;  // the times at which the derivative network was read
    DerivativeSource source = [&](const torch::Tensor& x, double t) {
      reads.push_back(t);
      RouterOut out;
      out.logits = torch::zeros({x.size(0), 3});
      out.velocity = torch::tensor({1.0f, 0.0f, -1.0f}).expand({x.size(0), 3});
      return out;
    };
    auto integrated =
        std::make_shared<IntegratedAlpha>(source, std::vector<double>{0.2, 0.5, 0.3}, IntegrationMode::kLogit);
    RoutedEnsemble ens(affine_experts(3, 2), integrated, RoutingRule::kMixture, 1, {0.2, 0.5, 0.3}, 5);
    ens.begin(4, torch::kCPU, 0);
    solve_ode(sch, ens.as_denoiser(), torch::randn({4, 2}, torch::kFloat64), grid, solver);
    const std::vector<double> starts(grid.begin(), grid.end() - 1);  // t_0 .. t_{N-1}
    EXPECT_EQ(reads, starts) << to_string(solver);                   // N reads, one per start point, at t_n
    const auto& st = ens.stats();
    ASSERT_EQ(st.size(), starts.size()) << to_string(solver);  // one entry per step
    for (size_t n = 0; n < st.size(); ++n) {
      EXPECT_EQ(st[n].t, grid[n]);
      EXPECT_EQ(st[n].samples, 4);
    }
    // log alpha moves by c dt per step: at the last start point z = log pi + c (t_{N-1} - t_0).
    const double z0 = std::log(0.2) + (starts.back() - starts.front()),
                 z2 = std::log(0.3) - (starts.back() - starts.front());
    const double entropy_last = *st.back().mean_entropy();
    const auto a = torch::softmax(torch::tensor({z0, std::log(0.5), z2}, torch::kFloat64), 0);
    EXPECT_NEAR(entropy_last, -(a * a.log()).sum().item<double>(), 1e-5) << to_string(solver);
  }
}

TEST(RoutedEnsemble, EveryRuleKeepsOneStatisticsEntryPerStepUnderEverySolver) {
  const Schedule sch(ScheduleKind::kLinear);
  const auto alpha = torch::tensor({{0.2, 0.5, 0.3}}, torch::kFloat64);
  for (SolverKind solver : kAllSolvers)
    for (RoutingRule rule :
         {RoutingRule::kSwitch, RoutingRule::kTop1, RoutingRule::kTopK, RoutingRule::kMixture, RoutingRule::kFixed}) {
      RoutedEnsemble ens(affine_experts(3, 2), std::make_shared<FixedAlpha>(alpha), rule, 2, {0.2, 0.5, 0.3}, 5);
      for (int batch = 0; batch < 2; ++batch) {
        ens.begin(10, torch::kCPU, batch);
        solve_ode(sch, ens.as_denoiser(), torch::randn({10, 2}, torch::kFloat64),
                  time_grid(sch, 4, Spacing::kUniform, 0.05), solver);
      }
      ASSERT_EQ(ens.stats().size(), 4u) << to_string(solver) << " " << to_string(rule);
      for (const auto& s : ens.stats()) EXPECT_EQ(s.samples, 20) << to_string(solver) << " " << to_string(rule);
    }
}

TEST(RoutedEnsemble, RefusesAnEvaluationBeforeItsStepStarts) {
  RoutedEnsemble ens(affine_experts(3, 2), std::make_shared<FixedAlpha>(torch::tensor({{0.2, 0.5, 0.3}})),
                     RoutingRule::kSwitch, 1, {0.2, 0.5, 0.3}, 5);
  ens.begin(2, torch::kCPU, 0);
  EXPECT_THROW(ens.denoise(torch::zeros({2, 2}), 0.5, StepPoint{0, 0.5, 0.4, false}), Error);
  ens.denoise(torch::zeros({2, 2}), 0.5, StepPoint{0, 0.5, 0.4, true});
  EXPECT_THROW(ens.denoise(torch::zeros({2, 2}), 0.3, StepPoint{2, 0.3, 0.2, true}), Error);  // step 1 skipped
}

// A routed ensemble is a denoiser like any other: it returns the experts' raw D (the x0 clip is
// the solver's), under every rule.
TEST(RoutedEnsemble, PassesTheExpertsRawDenoisedEstimate) {
  const auto alpha = torch::tensor({{0.2, 0.5, 0.3}}, torch::kFloat64);
  const auto x = 10 * torch::ones({4, 2}, torch::kFloat64);  // affine experts give D = c_k + 3, outside [-1, 1]
  for (RoutingRule rule :
       {RoutingRule::kSwitch, RoutingRule::kTop1, RoutingRule::kTopK, RoutingRule::kMixture, RoutingRule::kFixed}) {
    RoutedEnsemble ens(affine_experts(3, 2), std::make_shared<FixedAlpha>(alpha), rule, 2, {0.2, 0.5, 0.3}, 5);
    ens.begin(4, torch::kCPU, 0);
    EXPECT_GT(ens.denoise(x, 0.5, StepPoint{0, 0.5, 0.4, true}).min().item<double>(), 1.5) << to_string(rule);
  }
}

}  // namespace
}  // namespace ddm
