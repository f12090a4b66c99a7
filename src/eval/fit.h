// Least-squares fit of err = c N^-p in log-log (the reference paper's appendix E.3), with R^2.
#pragma once
#include <vector>

namespace ddm {

struct PowerFit {
  double c = 0, p = 0, r2 = 0;
};

// xs, ys > 0 (non-positive points are skipped); needs two usable points.
PowerFit fit_power_law(const std::vector<double>& xs, const std::vector<double>& ys);

}  // namespace ddm
