// Batch shares, weight broadcast and bucketed gradient averaging (see data_parallel.h).
#include "dist/data_parallel.h"

#include "util/error.h"
#include "util/timer.h"

namespace ddm {

torch::Tensor BatchShare::take(const torch::Tensor& whole) const {
  if (begin == 0 && end == whole.size(0)) return whole;
  return whole.slice(0, begin, end);
}

BatchShare batch_share(int64_t global, const Dist& dist, const std::string& what) {
  const int64_t w = dist.world();
  require(global % w == 0,
          "{}={} does not divide over {} ranks: use a multiple of WORLD_SIZE ({} keeps the global batch)", what, global,
          w, what);
  const int64_t per = global / w;
  return {global, per * dist.rank(), per * (dist.rank() + 1)};
}

void broadcast_tensors(const Dist& dist, const std::vector<torch::Tensor>& tensors, int root) {
  if (!dist.active()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> views;
  for (const auto& t : tensors) views.push_back(t.detach());  // shares storage: written in place
  dist.broadcast(views, root);
}

double max_divergence(const Dist& dist, const std::vector<torch::Tensor>& tensors) {
  if (!dist.active()) return 0.0;
  torch::NoGradGuard no_grad;
  double worst = 0;
  for (const auto& t : tensors) {
    std::vector<torch::Tensor> copy{t.detach().clone()};
    dist.broadcast(copy, 0);
    worst = std::max(worst, (t.detach() - copy[0]).abs().max().item<double>());
  }
  return dist.max(worst);
}

std::vector<std::vector<double>> gather_values(const Dist& dist, const std::vector<double>& values) {
  const int64_t n = static_cast<int64_t>(values.size());
  if (!dist.active()) return {values};
  std::vector<torch::Tensor> slots{torch::zeros({dist.world(), n}, torch::kFloat64)};
  slots[0][dist.rank()].copy_(torch::tensor(values, torch::kFloat64));
  dist.all_reduce(slots, ReduceOp::kSum);
  std::vector<std::vector<double>> out;
  const torch::Tensor all = slots[0].contiguous();
  for (int r = 0; r < dist.world(); ++r) out.emplace_back(all[r].data_ptr<double>(), all[r].data_ptr<double>() + n);
  return out;
}

GradientSync::GradientSync(Dist dist, std::vector<torch::Tensor> params, GradientReduce mode, int64_t bucket_bytes)
    : dist_(std::move(dist)), params_(std::move(params)), mode_(mode), bucket_bytes_(bucket_bytes) {}

torch::Tensor GradientSync::average(const torch::Tensor& scalars) {
  if (!dist_.active()) return scalars;
  torch::NoGradGuard no_grad;
  Stopwatch clock;
  const double inv = mode_ == GradientReduce::kSum ? 1.0 : 1.0 / dist_.world();
  std::vector<torch::Tensor> bucket;
  int64_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    std::vector<torch::Tensor> flat;
    for (const auto& g : bucket) flat.push_back(g.reshape(-1));
    std::vector<torch::Tensor> one{torch::cat(flat)};
    dist_.all_reduce(one, ReduceOp::kSum);
    int64_t off = 0;
    for (auto& g : bucket) {
      g.copy_(one[0].slice(0, off, off + g.numel()).view_as(g).mul_(inv));
      off += g.numel();
    }
    bucket.clear();
    bytes = 0;
  };
  for (const auto& p : params_) {
    const torch::Tensor& g = p.grad();
    if (!g.defined()) continue;
    if (!bucket.empty() && (g.scalar_type() != bucket.front().scalar_type() || g.device() != bucket.front().device()))
      flush();
    bucket.push_back(g);
    bytes += g.numel() * static_cast<int64_t>(g.element_size());
    if (bytes >= bucket_bytes_) flush();
  }
  flush();
  std::vector<torch::Tensor> s{scalars.detach().to(torch::kFloat64).clone()};
  dist_.all_reduce(s, ReduceOp::kSum);
  seconds_ += clock.seconds();
  return s[0].mul_(inv).to(scalars.scalar_type());
}

}  // namespace ddm
