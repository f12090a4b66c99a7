// Exact optimal assignment (the Hungarian method, O(n^3)) and the W2 distance between two
// equal-size point clouds it gives (design.md section 7: W2 in low dimension). No torch here.
#pragma once
#include <cstdint>
#include <vector>

namespace ddm {

// cost: n x n, row-major. Returns col[i], the column assigned to row i, minimising the total cost.
std::vector<int> min_cost_assignment(const std::vector<double>& cost, int n);

// W2 between the empirical measures of a and b (n points of dimension d each, row-major):
// sqrt(min over permutations of mean ||a_i - b_perm(i)||^2).
double w2_empirical(const std::vector<double>& a, const std::vector<double>& b, int n, int d);

}  // namespace ddm
