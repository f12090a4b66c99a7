// Frechet distance: against an independent float64 computation (eigenvalues of S1 S2), a
// closed form for commuting nearly singular covariances, and numpy on the statistics files.
#include <gtest/gtest.h>

#include "eval/frechet.h"
#include "test_util.h"
#include "util/npy.h"

namespace ddm {
namespace {

// The textbook route: tr sqrt(S1 S2) from the (complex) eigenvalues of the product.
double reference_distance(const FeatureStats& a, const FeatureStats& b) {
  const torch::Tensor ev = torch::real(torch::linalg_eigvals(torch::matmul(a.sigma, b.sigma))).clamp_min(0);
  return (a.mu - b.mu).pow(2).sum().item<double>() + a.sigma.trace().item<double>() + b.sigma.trace().item<double>() -
         2 * ev.sqrt().sum().item<double>();
}

TEST(Frechet, MatchesAnIndependentComputation) {
  torch::manual_seed(0);
  const auto fa = torch::randn({500, 8}, torch::kFloat64) * torch::linspace(0.5, 2.0, 8, torch::kFloat64);
  const auto fb = torch::randn({400, 8}, torch::kFloat64) + 0.3;
  const FeatureStats a = feature_stats(fa), b = feature_stats(fb);
  // numpy.cov convention: N - 1 denominator.
  const auto c = fa - fa.mean(0);
  EXPECT_TRUE(torch::allclose(a.sigma, torch::matmul(c.t(), c) / 499.0, 1e-12, 1e-12));
  const double want = reference_distance(a, b);
  EXPECT_NEAR(frechet_distance(a, b), want, 1e-6 * std::fabs(want));
  EXPECT_NEAR(frechet_distance(a, a), 0.0, 1e-9);
}

TEST(Frechet, NearlySingularCovariancesMatchTheClosedForm) {
  // Commuting (diagonal) covariances: tr sqrt(S1 S2) = sum sqrt(d1 d2) exactly.
  const auto d1 = torch::tensor({2.0, 1.0, 1e-12, 0.0, 3e-14}, torch::kFloat64);
  const auto d2 = torch::tensor({0.5, 1e-13, 4.0, 1e-15, 0.0}, torch::kFloat64);
  // Rotate both by the same orthogonal matrix so that they are not diagonal in storage.
  const auto q = std::get<0>(torch::linalg_qr(torch::randn({5, 5}, torch::kFloat64)));
  FeatureStats a, b;
  a.mu = torch::zeros({5}, torch::kFloat64);
  b.mu = torch::full({5}, 0.1, torch::kFloat64);
  a.sigma = torch::matmul(q * d1, q.t());
  b.sigma = torch::matmul(q * d2, q.t());
  const double want =
      5 * 0.01 + d1.sum().item<double>() + d2.sum().item<double>() - 2 * (d1 * d2).sqrt().sum().item<double>();
  EXPECT_NEAR(frechet_distance(a, b), want, 1e-6 * std::fabs(want));
}

TEST(Frechet, StatisticsFilesRoundTripAndNumpyAgrees) {
  test::TempDir dir;
  torch::manual_seed(1);
  const FeatureStats a = feature_stats(torch::randn({300, 6}, torch::kFloat64));
  const FeatureStats b = feature_stats(torch::randn({300, 6}, torch::kFloat64) * 1.5);
  save_stats(dir / "a.npz", a);
  save_stats(dir / "b.npz", b);
  const FeatureStats ra = load_stats(dir / "a.npz");
  EXPECT_TRUE(torch::equal(ra.mu, a.mu));
  EXPECT_TRUE(torch::equal(ra.sigma, a.sigma));
  const double d = frechet_distance(a, b);
  if (!test::python_has_numpy()) GTEST_SKIP() << "no python with numpy to cross-check";
  // numpy reads our files and computes the distance its own way; then writes a file we read.
  const std::string py =
      std::string(DDM_TEST_PYTHON) +
      " -c \"import numpy as np\n"
      "a=np.load('" +
      dir / "a.npz" + "'); b=np.load('" + dir / "b.npz" +
      "')\n"
      "ev=np.linalg.eigvals(a['sigma']@b['sigma']).real.clip(0)\n"
      "print(repr(float(((a['mu']-b['mu'])**2).sum()+np.trace(a['sigma'])+np.trace(b['sigma'])-2*np.sqrt(ev).sum())))\n"
      "np.savez('" +
      dir / "n.npz" + "', mu=a['mu']*2, sigma=a['sigma'])\"";
  const auto r = test::run_command(py);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NEAR(std::stod(r.output), d, 1e-6 * std::fabs(d));
  EXPECT_TRUE(torch::allclose(load_stats(dir / "n.npz").mu, a.mu * 2));
}

TEST(Frechet, BadStatisticsFilesAreRefused) {
  test::TempDir dir;
  const std::vector<double> mu{1, 2, 3}, sigma{1, 0, 0, 1};
  write_npz(dir / "nosigma.npz", {{"mu", NpyArray::from(NpyType::kF64, {3}, mu.data())}});
  EXPECT_NE(test::error_of([&] {
              load_stats(dir / "nosigma.npz");
            }).find("nosigma.npz: not a statistics file: it has no 'sigma'"),
            std::string::npos);
  write_npz(dir / "bad.npz", {{"mu", NpyArray::from(NpyType::kF64, {3}, mu.data())},
                              {"sigma", NpyArray::from(NpyType::kF64, {2, 2}, sigma.data())}});
  EXPECT_NE(test::error_of([&] { load_stats(dir / "bad.npz"); }).find("mu has shape [3] and sigma [2, 2]"),
            std::string::npos);
  FeatureStats a, b;
  a.mu = torch::zeros({3}, torch::kFloat64);
  a.sigma = torch::eye(3, torch::kFloat64);
  b.mu = torch::zeros({2}, torch::kFloat64);
  b.sigma = torch::eye(2, torch::kFloat64);
  EXPECT_NE(test::error_of([&] { frechet_distance(a, b); }).find("3-dimensional and 2-dimensional"), std::string::npos);
}

}  // namespace
}  // namespace ddm
