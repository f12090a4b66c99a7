// The Frechet distance between two Gaussians fitted to features (FID when the features are
// pytorch-fid's InceptionV3 pool features; design.md section 7):
//   d^2 = ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2),
// in float64. tr sqrt(S1 S2) is the sum of the square roots of the eigenvalues of S1 S2; they
// equal those of the symmetric PSD matrix sqrt(S1) S2 sqrt(S1), which we diagonalise instead
// (eigh is stable where a general eigensolver on S1 S2 is not); negative round-off is clamped at 0.
// Statistics files are pytorch-fid's .npz: float64 `mu` [F] and `sigma` [F, F].
#pragma once
#include <torch/types.h>

#include <string>

namespace ddm {

struct FeatureStats {
  torch::Tensor mu;     // float64 [F]
  torch::Tensor sigma;  // float64 [F, F]
  int64_t count = 0;    // samples behind them (0 when read from a file that does not say)
  int64_t dim() const { return mu.size(0); }
};

// mu and the unbiased covariance (N - 1 denominator, as numpy.cov) of features [N, F].
// Warns when N <= F: the covariance is rank-deficient and the distance unreliable.
FeatureStats feature_stats(const torch::Tensor& features);
double frechet_distance(const FeatureStats& a, const FeatureStats& b);

void save_stats(const std::string& path, const FeatureStats& s);
// Fails naming the file when `mu` or `sigma` is missing or their shapes disagree.
FeatureStats load_stats(const std::string& path);

}  // namespace ddm
