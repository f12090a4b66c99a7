// One-process behaviour of the data-parallel helpers: every call must leave a single process's
// results exactly as they were (the multi-process checks are slow.Distributed).
#include <gtest/gtest.h>

#include "dist/batch_split.h"
#include "dist/data_parallel.h"
#include "util/seed.h"

namespace ddm {
namespace {

TEST(SplitBatches, OneProcessSeesEveryBatchInOrder) {
  std::vector<int64_t> firsts, counts, indices;
  split_batches(
      Dist(), 10, 4,
      [&](int64_t i, int64_t first, int64_t count) {
        indices.push_back(i);
        return torch::full({count, 2}, static_cast<double>(first));
      },
      [&](int64_t first, const torch::Tensor& x) {
        firsts.push_back(first);
        counts.push_back(x.size(0));
        EXPECT_EQ(x[0][0].item<double>(), static_cast<double>(first));
      });
  EXPECT_EQ(indices, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(firsts, (std::vector<int64_t>{0, 4, 8}));
  EXPECT_EQ(counts, (std::vector<int64_t>{4, 4, 2}));
}

TEST(GradientSync, OneProcessLeavesGradientsAndScalarsAlone) {
  auto p = torch::ones({3}, torch::requires_grad());
  p.mutable_grad() = torch::tensor({1.0f, 2.0f, 3.0f});
  GradientSync sync(Dist(), {p});
  const auto s = torch::tensor({0.5, 7.0}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(sync.average(s), s));
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({1.0f, 2.0f, 3.0f})));
  EXPECT_EQ(max_divergence(Dist(), {p}), 0.0);
  const BatchShare all = batch_share(8, Dist(), "train.batch_size");
  EXPECT_EQ(all.begin, 0);
  EXPECT_EQ(all.end, 8);
}

TEST(StreamSeed, IndependentStreamsPerIndex) {
  EXPECT_NE(stream_seed(0, 0), stream_seed(0, 1));
  EXPECT_NE(stream_seed(0, 1), stream_seed(1, 0));
  EXPECT_EQ(stream_seed(42, 7), stream_seed(42, 7));
}

}  // namespace
}  // namespace ddm
