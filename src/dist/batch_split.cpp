// Batches split over ranks and gathered by broadcast (see batch_split.h).
#include "dist/batch_split.h"

#include "util/error.h"

namespace ddm {
namespace {

constexpr int64_t kMaxDims = 8;

// Rank 0's first result's dtype and trailing shape, on every rank: [dtype, dims, sizes...].
torch::Tensor describe(const Dist& dist, const torch::Tensor& first) {
  torch::Tensor d = torch::zeros({2 + kMaxDims}, torch::kInt64);
  if (dist.is_main()) {
    require(first.dim() - 1 <= kMaxDims, "split_batches: results of {} dimensions", first.dim());
    d[0] = static_cast<int64_t>(first.scalar_type());
    d[1] = first.dim() - 1;
    for (int64_t i = 1; i < first.dim(); ++i) d[1 + i] = first.size(i);
  }
  std::vector<torch::Tensor> v{d};
  dist.broadcast(v, 0);
  return v[0];
}

}  // namespace

void split_batches(const Dist& dist, int64_t n, int64_t batch,
                   const std::function<torch::Tensor(int64_t, int64_t, int64_t)>& compute,
                   const std::function<void(int64_t, const torch::Tensor&)>& receive) {
  require(batch >= 1, "split_batches: batch size {}", batch);
  const int64_t batches = (n + batch - 1) / batch, w = dist.world();
  auto count_of = [&](int64_t i) { return std::min(batch, n - i * batch); };
  torch::Tensor desc;
  for (int64_t round = 0; round * w < batches; ++round) {
    const int64_t mine = round * w + dist.rank();
    const torch::Tensor x =
        mine < batches ? compute(mine, mine * batch, count_of(mine)).cpu().contiguous() : torch::Tensor();
    if (!dist.active()) {
      receive(mine * batch, x);
      continue;
    }
    if (round == 0) desc = describe(dist, x);
    for (int64_t r = 0; r < w && round * w + r < batches; ++r) {
      const int64_t i = round * w + r;
      std::vector<int64_t> shape{count_of(i)};
      for (int64_t d = 0; d < desc[1].item<int64_t>(); ++d) shape.push_back(desc[2 + d].item<int64_t>());
      std::vector<torch::Tensor> v{
          r == dist.rank() ? x : torch::empty(shape, static_cast<c10::ScalarType>(desc[0].item<int64_t>()))};
      dist.broadcast(v, static_cast<int>(r));
      receive(i * batch, v[0]);
    }
  }
}

}  // namespace ddm
