// Conversions between eps-, x0- and v-prediction (design.md section 1).
#include "diffusion/parameterization.h"

namespace ddm {

torch::Tensor prediction_target(Prediction p, const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& a,
                                const torch::Tensor& s) {
  switch (p) {
    case Prediction::kEps:
      return eps;
    case Prediction::kX0:
      return x0;
    case Prediction::kV:
      return a * eps - s * x0;
  }
  return eps;
}

torch::Tensor denoised_from_output(Prediction p, const torch::Tensor& out, const torch::Tensor& x,
                                   const torch::Tensor& a, const torch::Tensor& s) {
  switch (p) {
    case Prediction::kEps:
      return (x - s * out) / a;
    case Prediction::kX0:
      return out;
    case Prediction::kV:
      return a * x - s * out;  // a^2 + s^2 = 1
  }
  return out;
}

torch::Tensor eps_from_denoised(const torch::Tensor& x, const torch::Tensor& d, double a, double s) {
  return (x - a * d) / s;
}

torch::Tensor velocity_from_denoised(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d, double t) {
  return sch.dalpha(t) * d + sch.dsigma(t) * eps_from_denoised(x, d, sch.alpha(t), sch.sigma(t));
}

torch::Tensor velocity_from_denoised(const Schedule& sch, const torch::Tensor& x, const torch::Tensor& d,
                                     const torch::Tensor& t) {
  const torch::Tensor tt = t.to(torch::kFloat64);
  auto col = [&](const torch::Tensor& v) { return as_column(v, x.dim()).to(x.scalar_type()); };
  return col(sch.dalpha(tt)) * d + col(sch.dsigma(tt)) * (x - col(sch.alpha(tt)) * d) / col(sch.sigma(tt));
}

torch::Tensor as_column(const torch::Tensor& per_sample, int64_t dim) {
  std::vector<int64_t> shape(static_cast<size_t>(dim), 1);
  shape[0] = per_sample.size(0);
  return per_sample.reshape(shape);
}

}  // namespace ddm
