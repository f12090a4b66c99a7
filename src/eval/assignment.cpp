// Hungarian method with row/column potentials (shortest augmenting paths; Kuhn-Munkres in the
// Jonker-Volgenant style): n augmentations of O(n^2) each.
#include "eval/assignment.h"

#include <cmath>
#include <limits>

#include "util/error.h"

namespace ddm {

std::vector<int> min_cost_assignment(const std::vector<double>& cost, int n) {
  require(n >= 0 && cost.size() == static_cast<size_t>(n) * n, "assignment: cost must be n x n ({} entries for n = {})",
          cost.size(), n);
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based with a virtual column 0; u, v are the dual potentials, match[j] the row of column j.
  std::vector<double> u(n + 1, 0), v(n + 1, 0), min_to(n + 1);
  std::vector<int> match(n + 1, 0), way(n + 1, 0);
  std::vector<char> used(n + 1);
  for (int i = 1; i <= n; ++i) {
    match[0] = i;
    int j0 = 0;
    std::fill(min_to.begin(), min_to.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {  // grow the alternating tree from row i until it reaches a free column
      used[j0] = 1;
      const int i0 = match[j0];
      const double* row = &cost[static_cast<size_t>(i0 - 1) * n];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double reduced = row[j - 1] - u[i0] - v[j];
        if (reduced < min_to[j]) min_to[j] = reduced, way[j] = j0;
        if (min_to[j] < delta) delta = min_to[j], j1 = j;
      }
      for (int j = 0; j <= n; ++j) {
        if (used[j])
          u[match[j]] += delta, v[j] -= delta;
        else
          min_to[j] -= delta;
      }
      j0 = j1;
    } while (match[j0] != 0);
    do {  // flip the augmenting path
      const int j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> col(n);
  for (int j = 1; j <= n; ++j) col[match[j] - 1] = j - 1;
  return col;
}

double w2_empirical(const std::vector<double>& a, const std::vector<double>& b, int n, int d) {
  require(a.size() == static_cast<size_t>(n) * d && b.size() == a.size(), "w2: point clouds must both be {} x {}", n,
          d);
  if (n == 0) return 0;
  std::vector<double> cost(static_cast<size_t>(n) * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int c = 0; c < d; ++c) {
        const double diff = a[static_cast<size_t>(i) * d + c] - b[static_cast<size_t>(j) * d + c];
        s += diff * diff;
      }
      cost[static_cast<size_t>(i) * n + j] = s;
    }
  const std::vector<int> col = min_cost_assignment(cost, n);
  double total = 0;
  for (int i = 0; i < n; ++i) total += cost[static_cast<size_t>(i) * n + col[i]];
  return std::sqrt(total / n);
}

}  // namespace ddm
