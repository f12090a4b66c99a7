// Party examples (design.md section 4c): the batch split over parties, the prior weights, and
// the property federated training rests on: a process that holds one party draws for it exactly
// the rows that a process holding every party draws.
#include <gtest/gtest.h>

#include "data/dataset.h"
#include "data/shards.h"
#include "router/party_examples.h"
#include "test_util.h"

namespace ddm {
namespace {

TEST(PartyExamples, BatchSplitFollowsThePriorsWithAtLeastOneEach) {
  EXPECT_EQ(PartyExamples::party_batches(64, {0.25, 0.25, 0.5}), (std::vector<int64_t>{16, 16, 32}));
  // Largest remainders: 10 * (0.34, 0.33, 0.33) = 3.4, 3.3, 3.3 -> 4, 3, 3.
  EXPECT_EQ(PartyExamples::party_batches(10, {0.34, 0.33, 0.33}), (std::vector<int64_t>{4, 3, 3}));
  EXPECT_EQ(PartyExamples::party_batches(4, {0.97, 0.01, 0.01, 0.01}), (std::vector<int64_t>{4, 1, 1, 1}));
}

class Parties : public ::testing::Test {
 protected:
  void SetUp() override {
    DataConfig dc;
    dc.dataset = DatasetKind::kToy2d;
    dc.toy_components = 3;
    dc.toy_samples = 300;
    data_ = std::make_shared<const Dataset>(load_dataset(dc));
    ShardsConfig sc;
    sc.k = 3;
    manifest_ = make_shards(*data_, dc, sc);
  }
  PartyExamples examples(std::vector<Party> parties) const {
    PartyExampleOptions o;
    o.batch = 30;
    o.seed = 5;
    return PartyExamples(std::move(parties), manifest_.priors(), Schedule(ScheduleKind::kLinear), o);
  }
  std::shared_ptr<const Dataset> data_;
  ShardManifest manifest_;
};

TEST_F(Parties, WeightsMakeThePriorWeightedMeanOfEachPartysCrossEntropy) {
  PartyExamples all = examples(shard_parties(data_, manifest_));
  const RouterBatch b = all.batch(0, 0.1, 0.9, false);
  EXPECT_EQ(b.xt.size(0), 30);
  EXPECT_NEAR(b.weight.sum().item<double>(), 1.0, 1e-6);
  const auto pri = manifest_.priors();
  for (int k = 0; k < 3; ++k) {
    const torch::Tensor rows = b.c == k;
    EXPECT_NEAR(b.weight.masked_select(rows).sum().item<double>(), pri[k], 1e-6) << k;
    // Party k's rows are its own shard's points, noised.
    EXPECT_GT(rows.sum().item<int64_t>(), 0);
  }
  EXPECT_TRUE((b.t >= 0.1).all().item<bool>() && (b.t < 0.9).all().item<bool>());
}

TEST_F(Parties, OnePartyAloneDrawsWhatItDrawsAmongAll) {
  PartyExamples all = examples(shard_parties(data_, manifest_));
  const auto parties = shard_parties(data_, manifest_);
  PartyExamples one = examples({parties[1]});
  for (int64_t step = 0; step < 25; ++step) {  // past an epoch of the party's examples
    const RouterBatch a = all.batch(step, 0.001, 1.0, false), b = one.batch(step, 0.001, 1.0, false);
    const torch::Tensor rows = a.c == 1;
    ASSERT_TRUE(torch::equal(a.xt.index({rows}), b.xt)) << step;
    ASSERT_TRUE(torch::equal(a.t.index({rows}), b.t)) << step;
    ASSERT_TRUE(torch::equal(a.weight.index({rows}), b.weight)) << step;
  }
  // Resuming at a step seeks each party's stream there: the next batch is the one a run that
  // never stopped draws.
  PartyExamples resumed = examples({parties[1]});
  resumed.restore(resumed.position(), 25, "test");
  EXPECT_TRUE(torch::equal(resumed.batch(25, 0.001, 1.0, false).xt, one.batch(25, 0.001, 1.0, false).xt));
  // Held-out points are the same on every call with the same seed.
  EXPECT_TRUE(torch::equal(one.heldout(40, 0.2, 0.4, 9, false).xt, one.heldout(40, 0.2, 0.4, 9, false).xt));
}

}  // namespace
}  // namespace ddm
