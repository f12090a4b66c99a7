// Toy mixture sampler (see toy.h).
#include "data/toy.h"

#include <cmath>
#include <numbers>

#include "util/format.h"

namespace ddm {
namespace {

struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double normal() {
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
};

}  // namespace

void toy_center(const ToyOptions& opt, int k, double& x, double& y) {
  const double angle = 2.0 * std::numbers::pi * k / opt.components;
  x = opt.radius * std::cos(angle);
  y = opt.radius * std::sin(angle);
}

RawData make_toy2d(const ToyOptions& opt) {
  RawData raw;
  raw.n = opt.samples;
  raw.sample_shape = {2};
  raw.points.resize(static_cast<size_t>(opt.samples) * 2);
  raw.labels.resize(static_cast<size_t>(opt.samples));
  SplitMix64 rng{opt.seed * 0x2545F4914F6CDD1Dull + 1};
  for (int64_t i = 0; i < opt.samples; ++i) {
    const int k = static_cast<int>(i % opt.components);
    double x, y;
    if (opt.shape == ToyShape::kGaussians) {
      toy_center(opt, k, x, y);
      x += opt.std * rng.normal();
      y += opt.std * rng.normal();
    } else {
      const double r = opt.radius * (k + 1) / opt.components + opt.std * rng.normal();
      const double angle = 2.0 * std::numbers::pi * rng.uniform();
      x = r * std::cos(angle);
      y = r * std::sin(angle);
    }
    raw.points[2 * i] = static_cast<float>(x);
    raw.points[2 * i + 1] = static_cast<float>(y);
    raw.labels[i] = k;
  }
  for (int k = 0; k < opt.components; ++k)
    raw.class_names.push_back(format("{}{}", opt.shape == ToyShape::kGaussians ? "gaussian" : "ring", k));
  return raw;
}

}  // namespace ddm
