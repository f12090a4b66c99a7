// The Sobolev router's directional derivatives (see sobolev.h; design.md section 4).
#include "router/sobolev.h"

#include <torch/autograd.h>

#include "diffusion/parameterization.h"

namespace ddm {

torch::Tensor log_snr_rate(const Schedule& sch, const torch::Tensor& t) {
  return 2.0 * (sch.dalpha(t) / sch.alpha(t) - sch.dsigma(t) / sch.sigma(t));
}

torch::Tensor difference_steps(const Schedule& sch, const torch::Tensor& t, double h) {
  return h / log_snr_rate(sch, t).abs();
}

TangentPoints tangent_points(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& v,
                             const torch::Tensor& dt) {
  const torch::Tensor step = as_column(dt, x.dim()) * v;
  return {torch::cat({x, x + step, x - step}), torch::cat({t, t + dt, t - dt})};
}

DirectionalDifference central_difference(const torch::Tensor& y, const torch::Tensor& dt) {
  const int64_t b = y.size(0) / 3;
  return {y.slice(0, 0, b), (y.slice(0, b, 2 * b) - y.slice(0, 2 * b)) / (2 * dt.unsqueeze(1))};
}

DirectionalDifference directional_difference(const AlphaFn& f, const torch::Tensor& x, const torch::Tensor& t,
                                             const torch::Tensor& v, const torch::Tensor& dt) {
  const TangentPoints p = tangent_points(x, t, v, dt);
  return central_difference(f(p.x, p.t), dt);
}

torch::Tensor directional_jvp(const AlphaFn& f, const torch::Tensor& x, const torch::Tensor& t,
                              const torch::Tensor& v) {
  torch::AutoGradMode grad(true);
  const torch::Tensor xg = x.detach().requires_grad_(true), tg = t.detach().requires_grad_(true);
  const torch::Tensor y = f(xg, tg);
  const torch::Tensor u = torch::zeros_like(y).requires_grad_(true);
  const auto g = torch::autograd::grad({y}, {xg, tg}, {u}, /*retain_graph=*/true, /*create_graph=*/true);
  const torch::Tensor inner = (g[0] * v).sum() + (g[1] * torch::ones_like(t)).sum();
  return torch::autograd::grad({inner}, {u})[0].detach();
}

torch::Tensor sobolev_error(const torch::Tensor& dalpha_hat, const torch::Tensor& dalpha, const torch::Tensor& rate) {
  return ((dalpha_hat - dalpha) / rate.unsqueeze(1)).pow(2).mean();
}

DirectionalDifference network_difference(RouterNet& net, const Schedule& sch, const torch::Tensor& x,
                                         const torch::Tensor& t, const torch::Tensor& v, double h,
                                         torch::Tensor* logits) {
  const torch::Tensor dt = difference_steps(sch, t.to(torch::kFloat64), h).to(t.scalar_type());
  const TangentPoints p = tangent_points(x, t, v, dt);
  const torch::Tensor y = net.forward(p.x, p.t).to_float().logits;
  if (logits) *logits = y.slice(0, 0, x.size(0));
  return central_difference(torch::softmax(y, 1), dt.to(torch::kFloat32));
}

double difference_error(RouterNet& net, const Schedule& sch, const torch::Tensor& x, const torch::Tensor& t,
                        const torch::Tensor& v, double h) {
  AlphaFn f = [&](const torch::Tensor& xx, const torch::Tensor& tt) {
    return torch::softmax(net.forward(xx, tt).to_float().logits, 1);
  };
  const torch::Tensor dt = difference_steps(sch, t.to(torch::kFloat64), h).to(t.scalar_type());
  const torch::Tensor fd = directional_difference(f, x, t, v, dt).derivative.detach();
  const torch::Tensor jvp = directional_jvp(f, x, t, v);
  return ((fd - jvp).norm() / jvp.norm().clamp_min(1e-30)).item<double>();
}

}  // namespace ddm
