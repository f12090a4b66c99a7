// k-means (see kmeans.h). Empty clusters are re-seeded with the point farthest from its own
// centroid; the balanced variant assigns greedily by increasing distance under a capacity of
// ceil(N / K) points per cluster.
#include "data/kmeans.h"

#include <torch/types.h>

#include <algorithm>
#include <numeric>

#include "util/error.h"

namespace ddm {
namespace {

constexpr int64_t kChunk = 8192;

torch::Tensor nearest(const torch::Tensor& x, const torch::Tensor& c, torch::Tensor* min_d) {
  std::vector<torch::Tensor> idx, dist;
  for (int64_t i = 0; i < x.size(0); i += kChunk) {
    const auto d = squared_distances(x.slice(0, i, std::min(i + kChunk, x.size(0))), c);
    auto [v, j] = d.min(1);
    idx.push_back(j);
    dist.push_back(v);
  }
  if (min_d) *min_d = torch::cat(dist);
  return torch::cat(idx);
}

torch::Tensor balanced_assign(const torch::Tensor& x, const torch::Tensor& c) {
  const int64_t n = x.size(0), k = c.size(0);
  const int64_t cap = (n + k - 1) / k;
  const torch::Tensor d = squared_distances(x, c).contiguous().to(torch::kFloat64);
  const double* dp = d.data_ptr<double>();
  std::vector<int64_t> order(static_cast<size_t>(n * k));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [dp](int64_t a, int64_t b) { return dp[a] < dp[b]; });
  std::vector<int64_t> assign(static_cast<size_t>(n), -1), count(static_cast<size_t>(k), 0);
  int64_t left = n;
  for (const int64_t o : order) {
    const int64_t i = o / k, j = o % k;
    if (assign[i] >= 0 || count[j] >= cap) continue;
    assign[i] = j;
    ++count[j];
    if (--left == 0) break;
  }
  return torch::tensor(assign, torch::kLong);
}

}  // namespace

torch::Tensor squared_distances(const torch::Tensor& x, const torch::Tensor& c) {
  const auto xx = x.pow(2).sum(1, true);
  const auto cc = c.pow(2).sum(1).unsqueeze(0);
  return (xx - 2 * x.matmul(c.t()) + cc).clamp_min(0);
}

KmeansResult kmeans(const torch::Tensor& x_in, int k, int max_iters, uint64_t seed, bool balanced) {
  const torch::Tensor x = x_in.to(torch::kFloat32).contiguous();
  const int64_t n = x.size(0);
  require(k >= 1, "k-means: K must be >= 1");
  require(k <= n, "k-means: K = {} is larger than the number of points ({})", k, n);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);

  // k-means++ seeding.
  std::vector<int64_t> chosen{torch::randint(n, {1}, gen, torch::kLong).item<int64_t>()};
  torch::Tensor min_d = squared_distances(x, x.index_select(0, torch::tensor(chosen))).squeeze(1);
  for (int j = 1; j < k; ++j) {
    const double total = min_d.sum().item<double>();
    if (total <= 0) fail("k-means: cluster {} is empty: the data has fewer than K = {} distinct points", j, k);
    const int64_t next = torch::multinomial(min_d.to(torch::kFloat64), 1, false, gen).item<int64_t>();
    chosen.push_back(next);
    min_d = torch::minimum(min_d, squared_distances(x, x.index_select(0, torch::tensor({next}))).squeeze(1));
  }
  torch::Tensor c = x.index_select(0, torch::tensor(chosen)).clone();

  KmeansResult r;
  torch::Tensor assign;
  for (r.iterations = 1; r.iterations <= max_iters; ++r.iterations) {
    torch::Tensor d;
    torch::Tensor next = balanced ? balanced_assign(x, c) : nearest(x, c, &d);
    if (!balanced) {
      // Re-seed each empty cluster with the point farthest from its centroid.
      torch::Tensor counts = torch::bincount(next, {}, k);
      for (int j = 0; j < k; ++j) {
        if (counts[j].item<int64_t>() > 0) continue;
        const int64_t far = d.argmax().item<int64_t>();
        if (d[far].item<float>() <= 0)
          fail("k-means: cluster {} is empty: the data has fewer than K = {} distinct points", j, k);
        counts[next[far]] -= 1;
        next[far] = j;
        counts[j] += 1;
        d[far] = 0;
      }
    }
    const bool converged = assign.defined() && torch::equal(assign, next);
    assign = next;
    c = torch::zeros_like(c)
            .index_add_(0, assign, x)
            .div_(torch::bincount(assign, {}, k).clamp_min(1).unsqueeze(1).to(x.dtype()));
    if (converged) break;
  }
  r.iterations = std::min(r.iterations, max_iters);
  r.centroids = c;
  r.assignment = assign;
  r.inertia = squared_distances(x, c).gather(1, assign.unsqueeze(1)).sum().item<double>();
  return r;
}

}  // namespace ddm
