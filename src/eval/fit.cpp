// Power-law fit in log-log (see fit.h).
#include "eval/fit.h"

#include <cmath>

#include "util/error.h"

namespace ddm {

PowerFit fit_power_law(const std::vector<double>& xs, const std::vector<double>& ys) {
  std::vector<double> lx, ly;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i)
    if (xs[i] > 0 && ys[i] > 0 && std::isfinite(ys[i])) lx.push_back(std::log(xs[i])), ly.push_back(std::log(ys[i]));
  require(lx.size() >= 2, "power-law fit: need at least two positive points, got {}", lx.size());
  const double n = static_cast<double>(lx.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < lx.size(); ++i) mx += lx[i] / n, my += ly[i] / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    sxx += (lx[i] - mx) * (lx[i] - mx);
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) * (ly[i] - my);
  }
  require(sxx > 0, "power-law fit: all step counts are equal");
  const double slope = sxy / sxx;  // log err = log c - p log N
  PowerFit f;
  f.p = -slope;
  f.c = std::exp(my - slope * mx);
  f.r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1.0;
  return f;
}

}  // namespace ddm
