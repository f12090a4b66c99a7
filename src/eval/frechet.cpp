// Frechet distance and pytorch-fid statistics files (see frechet.h).
#include "eval/frechet.h"

#include "util/error.h"
#include "util/log.h"
#include "util/npy.h"

namespace ddm {

FeatureStats feature_stats(const torch::Tensor& features) {
  require(features.dim() == 2 && features.size(0) >= 2, "feature statistics need at least 2 feature vectors, got {}",
          features.dim() == 2 ? features.size(0) : 0);
  const torch::Tensor f = features.to(torch::kFloat64);
  const int64_t n = f.size(0), d = f.size(1);
  if (n <= d)
    log::warn(
        "{} samples for {}-dimensional features: the covariance is rank-deficient and the Frechet distance unreliable "
        "(use more samples than feature dimensions)",
        n, d);
  FeatureStats s;
  s.mu = f.mean(0);
  const torch::Tensor c = f - s.mu;
  s.sigma = torch::matmul(c.t(), c) / static_cast<double>(n - 1);
  s.count = n;
  return s;
}

double frechet_distance(const FeatureStats& a, const FeatureStats& b) {
  require(a.dim() == b.dim(), "Frechet distance: statistics of {}-dimensional and {}-dimensional features", a.dim(),
          b.dim());
  const torch::Tensor s1 = a.sigma.to(torch::kFloat64), s2 = b.sigma.to(torch::kFloat64);
  // sqrt(S1) from its eigendecomposition (S1 is symmetric PSD up to round-off).
  const auto [w1, v1] = torch::linalg_eigh((s1 + s1.t()) / 2);
  const torch::Tensor r1 = torch::matmul(v1 * w1.clamp_min(0).sqrt().unsqueeze(0), v1.t());
  const torch::Tensor m = torch::matmul(torch::matmul(r1, s2), r1);
  const torch::Tensor ev = torch::linalg_eigvalsh((m + m.t()) / 2).clamp_min(0);
  const double tr_sqrt = ev.sqrt().sum().item<double>();
  const double dmu = (a.mu.to(torch::kFloat64) - b.mu.to(torch::kFloat64)).pow(2).sum().item<double>();
  return dmu + s1.trace().item<double>() + s2.trace().item<double>() - 2 * tr_sqrt;
}

void save_stats(const std::string& path, const FeatureStats& s) {
  const torch::Tensor mu = s.mu.to(torch::kFloat64).contiguous().cpu(),
                      sigma = s.sigma.to(torch::kFloat64).contiguous().cpu();
  write_npz(path, {{"mu", NpyArray::from(NpyType::kF64, mu.sizes().vec(), mu.data_ptr<double>())},
                   {"sigma", NpyArray::from(NpyType::kF64, sigma.sizes().vec(), sigma.data_ptr<double>())}});
}

FeatureStats load_stats(const std::string& path) {
  const auto arrays = read_npz(path);
  for (const char* key : {"mu", "sigma"})
    if (!arrays.count(key))
      fail("{}: not a statistics file: it has no '{}' array (pytorch-fid's .npz has mu and sigma)", path, key);
  const NpyArray& mu = arrays.at("mu");
  const NpyArray& sigma = arrays.at("sigma");
  if (mu.shape.size() != 1 || sigma.shape.size() != 2 || sigma.shape[0] != mu.shape[0] || sigma.shape[1] != mu.shape[0])
    fail("{}: mu has shape {} and sigma {}: expected [F] and [F, F]", path, torch::IntArrayRef(mu.shape),
         torch::IntArrayRef(sigma.shape));
  FeatureStats s;
  s.mu = torch::tensor(mu.to_finite_double(path + ": mu"), torch::kFloat64);
  s.sigma =
      torch::tensor(sigma.to_finite_double(path + ": sigma"), torch::kFloat64).reshape({mu.shape[0], mu.shape[0]});
  return s;
}

}  // namespace ddm
