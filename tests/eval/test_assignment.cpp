// Exact optimal assignment against brute force over all permutations, and W2 of point clouds
// with known answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "eval/assignment.h"
#include "util/error.h"

namespace ddm {
namespace {

double total(const std::vector<double>& cost, int n, const std::vector<int>& col) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += cost[i * n + col[i]];
  return s;
}

TEST(Assignment, MatchesBruteForce) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-5, 5);
  for (int n = 1; n <= 7; ++n) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> cost(n * n);
      for (auto& c : cost) c = trial % 3 == 0 ? std::round(u(rng)) : u(rng);  // ties too
      const std::vector<int> col = min_cost_assignment(cost, n);
      std::vector<int> sorted = col;
      std::sort(sorted.begin(), sorted.end());
      for (int i = 0; i < n; ++i) ASSERT_EQ(sorted[i], i) << "not a permutation";
      std::vector<int> perm(n);
      std::iota(perm.begin(), perm.end(), 0);
      double best = 1e300;
      do best = std::min(best, total(cost, n, perm));
      while (std::next_permutation(perm.begin(), perm.end()));
      EXPECT_NEAR(total(cost, n, col), best, 1e-9) << "n = " << n << " trial " << trial;
    }
  }
}

TEST(Assignment, W2OfKnownClouds) {
  // A shifted copy: W2 is the shift's length, whatever the order of the points.
  std::mt19937_64 rng(1);
  std::normal_distribution<double> g;
  const int n = 200, d = 2;
  std::vector<double> a(n * d), b(n * d);
  for (auto& v : a) v = g(rng);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (int i = 0; i < n; ++i) b[order[i] * d] = a[i * d] + 0.3, b[order[i] * d + 1] = a[i * d + 1] - 0.4;
  EXPECT_NEAR(w2_empirical(a, b, n, d), 0.5, 1e-9);
  EXPECT_NEAR(w2_empirical(a, a, n, d), 0.0, 1e-12);
  EXPECT_THROW(w2_empirical(a, std::vector<double>(3), n, d), Error);
}

}  // namespace
}  // namespace ddm
