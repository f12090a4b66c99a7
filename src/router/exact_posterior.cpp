// Exact posterior (see exact_posterior.h; design.md section 3).
#include "router/exact_posterior.h"

#include "data/dataset.h"
#include "data/shards.h"
#include "diffusion/parameterization.h"
#include "models/speed_settings.h"
#include "util/error.h"

namespace ddm {
namespace {
constexpr int64_t kMaxChunkElements = int64_t{1} << 24;  // B x N per chunk
}

ExactPosterior::ExactPosterior(const torch::Tensor& points, const torch::Tensor& clusters, int k, const Schedule& sch,
                               torch::Dtype dtype, torch::Device device)
    : k_(k), sch_(sch) {
  require(points.size(0) == clusters.size(0), "exact posterior: {} points but {} cluster labels", points.size(0),
          clusters.size(0));
  require(points.size(0) > 0, "exact posterior: no data");
  shape_ = points.sizes().slice(1).vec();
  x_ = points.reshape({points.size(0), -1}).to(device, dtype).contiguous();
  sq_ = (x_ * x_).sum(1);
  clusters_ = clusters.to(device, torch::kInt64);
  require(clusters_.min().item<int64_t>() >= 0 && clusters_.max().item<int64_t>() < k,
          "exact posterior: cluster labels must lie in 0..{}", k - 1);
  onehot_ = torch::one_hot(clusters_, k).to(dtype);
  for (int c = 0; c < k; ++c) members_.push_back(torch::nonzero(clusters_ == c).flatten());
}

torch::Tensor ExactPosterior::full_t(const torch::Tensor& x, double t) const {
  return torch::full({x.size(0)}, t, x_.options());
}

torch::Tensor ExactPosterior::logits(const torch::Tensor& xf, const torch::Tensor& a, const torch::Tensor& s,
                                     torch::Tensor* dots) const {
  // ||x - a x_i||^2 = ||x||^2 - 2 a x.x_i + a^2 ||x_i||^2
  const torch::Tensor d = torch::matmul(xf, x_.t());  // [B, N]
  if (dots) *dots = d;
  const torch::Tensor dist = (xf * xf).sum(1, true) - 2 * a * d + a * a * sq_.unsqueeze(0);
  return -dist.clamp_min(0) / (2 * s * s);
}

PosteriorOut ExactPosterior::compute_chunk(const torch::Tensor& xf, const torch::Tensor& t, bool with_dalpha,
                                           const torch::Tensor& uf) const {
  const torch::Tensor tt = t.to(x_.options()).unsqueeze(1);  // [B, 1]
  const torch::Tensor a = sch_.alpha(tt), s = sch_.sigma(tt);
  torch::Tensor dots;
  const torch::Tensor l = logits(xf, a, s, &dots);
  const torch::Tensor r = torch::softmax(l, 1);  // [B, N]
  PosteriorOut out;
  out.alpha = torch::matmul(r, onehot_);
  out.denoised = torch::matmul(r, x_);
  if (!with_dalpha) return out;
  const torch::Tensor da = sch_.dalpha(tt), ds = sch_.dsigma(tt);
  // Along the exact PF-ODE unless a direction is given: u = a' D + s' (x - a D) / s.
  const torch::Tensor u = uf.defined() ? uf : da * out.denoised + ds * (xf - a * out.denoised) / s;
  // dl_i/dt = -(x - a x_i).(u - a' x_i) / s^2 + ||x - a x_i||^2 s' / s^3, expanded into products:
  // (x - a x_i).(u - a' x_i) = x.u - a' x.x_i - a u.x_i + a a' ||x_i||^2.
  const torch::Tensor ux = torch::matmul(u, x_.t());
  const torch::Tensor inner = (xf * u).sum(1, true) - da * dots - a * ux + a * da * sq_.unsqueeze(0);
  const torch::Tensor dist = -l * (2 * s * s);
  const torch::Tensor dl = -inner / (s * s) + dist * ds / (s * s * s);
  const torch::Tensor mean_dl = (r * dl).sum(1, true);
  out.dalpha = torch::matmul(r * (dl - mean_dl), onehot_);
  // c_k as a softmax over C_k alone, so that it stays exact where alpha_k underflows (MoG-da's
  // logit integration needs the velocity of clusters that are still far away).
  std::vector<torch::Tensor> c;
  for (const torch::Tensor& m : members_)
    c.push_back((torch::softmax(l.index_select(1, m), 1) * dl.index_select(1, m)).sum(1));
  out.velocity = torch::stack(c, 1);
  return out;
}

PosteriorOut ExactPosterior::compute(const torch::Tensor& x, const torch::Tensor& t, bool with_dalpha,
                                     const torch::Tensor& u) const {
  const AutocastScope fp32(
      false, x.device());  // never bf16, even inside a bf16 sampler: exact targets and the oracle stay exact
  const int64_t b = x.size(0);
  require(t.numel() == b, "exact posterior: {} times for {} points", t.numel(), b);
  const torch::Tensor xf = x.reshape({b, -1}).to(x_.options());
  require(xf.size(1) == x_.size(1), "exact posterior: points of dimension {} but the data has {}", xf.size(1),
          x_.size(1));
  const torch::Tensor uf = u.defined() ? u.reshape({b, -1}).to(x_.options()) : u;
  const int64_t chunk = std::max<int64_t>(1, kMaxChunkElements / x_.size(0));
  std::vector<PosteriorOut> parts;
  for (int64_t i = 0; i < b; i += chunk) {
    const int64_t j = std::min(b, i + chunk);
    parts.push_back(compute_chunk(xf.slice(0, i, j), t.flatten().slice(0, i, j), with_dalpha,
                                  uf.defined() ? uf.slice(0, i, j) : uf));
  }
  PosteriorOut out;
  auto cat = [&](auto field) {
    std::vector<torch::Tensor> v;
    for (const auto& p : parts) v.push_back(p.*field);
    return torch::cat(v);
  };
  out.alpha = cat(&PosteriorOut::alpha);
  std::vector<int64_t> shape{b};
  shape.insert(shape.end(), shape_.begin(), shape_.end());
  out.denoised = cat(&PosteriorOut::denoised).reshape(shape);
  if (with_dalpha) {
    out.dalpha = cat(&PosteriorOut::dalpha);
    out.velocity = cat(&PosteriorOut::velocity);
  }
  return out;
}

torch::Tensor ExactPosterior::alpha(const torch::Tensor& x, double t) const { return compute(x, full_t(x, t)).alpha; }

torch::Tensor ExactPosterior::denoise(const torch::Tensor& x, double t) const {
  return compute(x, full_t(x, t)).denoised.to(x.scalar_type());
}

torch::Tensor ExactPosterior::denoise_k(const torch::Tensor& x, double t, int k) const {
  require(k >= 0 && k < k_, "exact posterior: cluster {} out of range 0..{}", k, k_ - 1);
  const AutocastScope fp32(false, x.device());
  const int64_t b = x.size(0);
  const torch::Tensor xf = x.reshape({b, -1}).to(x_.options());
  const torch::Tensor xk = x_.index_select(0, members_[k]), sqk = sq_.index_select(0, members_[k]);
  const double a = sch_.alpha(t), s = sch_.sigma(t);
  const torch::Tensor dist = (xf * xf).sum(1, true) - 2 * a * torch::matmul(xf, xk.t()) + a * a * sqk.unsqueeze(0);
  const torch::Tensor r = torch::softmax(-dist.clamp_min(0) / (2 * s * s), 1);
  return torch::matmul(r, xk).reshape(x.sizes()).to(x.scalar_type());
}

torch::Tensor ExactPosterior::velocity(const torch::Tensor& x, double t) const {
  return velocity_from_denoised(sch_, x, denoise(x, t), t);
}

ExactPosterior make_exact_posterior(const Dataset& data, const ShardManifest& manifest, const Schedule& sch,
                                    torch::Device device) {
  return ExactPosterior(data.all(), manifest.assignment(), manifest.k, sch,
                        data.is_image() ? torch::kFloat32 : torch::kFloat64, device);
}

}  // namespace ddm
