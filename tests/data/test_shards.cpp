// Shards: coverage (every example in exactly one shard), determinism, k-means recovering
// well-separated clusters, the manifest round trip and every refusal.
#include <gtest/gtest.h>

#include <filesystem>

#include "data/data_files.h"
#include "data/dataset.h"
#include "data/kmeans.h"
#include "data/shards.h"
#include "test_util.h"
#include "util/error.h"
#include "util/npy.h"

namespace ddm {
namespace {

Dataset toy(int k, int64_t n, double std = 0.05) {
  DataConfig cfg;
  cfg.dataset = DatasetKind::kToy2d;
  cfg.toy_components = k;
  cfg.toy_samples = n;
  cfg.toy_std = std;
  return load_dataset(cfg);
}

DataConfig toy_cfg(int k, int64_t n) {
  DataConfig cfg;
  cfg.dataset = DatasetKind::kToy2d;
  cfg.toy_components = k;
  cfg.toy_samples = n;
  return cfg;
}

void expect_partition(const ShardManifest& m) {
  std::vector<int> seen(static_cast<size_t>(m.n), 0);
  for (const auto& s : m.shards) {
    EXPECT_FALSE(s.empty());
    for (auto i : s) ++seen[i];
  }
  for (int64_t i = 0; i < m.n; ++i) ASSERT_EQ(seen[i], 1) << "index " << i;
  double total = 0;
  for (double p : m.priors()) total += p;
  EXPECT_NEAR(total, 1.0, 1e-12);
}

// Every cluster holds a single label and every label a single cluster.
void expect_pure(const ShardManifest& m) {
  std::set<int64_t> majority;
  for (const auto& counts : m.label_counts) {
    int nonzero = 0;
    for (size_t c = 0; c < counts.size(); ++c)
      if (counts[c] > 0) {
        ++nonzero;
        majority.insert(static_cast<int64_t>(c));
      }
    EXPECT_EQ(nonzero, 1);
  }
  EXPECT_EQ(static_cast<int>(majority.size()), m.k);
}

}  // namespace

TEST(Shards, ByLabelCoversEveryExampleOnce) {
  const Dataset d = toy(4, 1001);
  ShardsConfig cfg;
  cfg.k = 4;
  const ShardManifest m = make_shards(d, toy_cfg(4, 1001), cfg);
  expect_partition(m);
  expect_pure(m);
  EXPECT_EQ(m.shards[0].size(), 251u);
  EXPECT_NEAR(m.priors()[0], 251.0 / 1001, 1e-15);
}

TEST(Shards, RandomIsDeterministicPerSeedAndBalanced) {
  const Dataset d = toy(3, 500);
  ShardsConfig cfg;
  cfg.k = 7;
  cfg.method = ShardMethod::kRandom;
  cfg.seed = 11;
  const ShardManifest a = make_shards(d, toy_cfg(3, 500), cfg), b = make_shards(d, toy_cfg(3, 500), cfg);
  expect_partition(a);
  EXPECT_EQ(a.shards, b.shards);
  for (const auto& s : a.shards) EXPECT_NEAR(static_cast<double>(s.size()), 500.0 / 7, 1.0);
  cfg.seed = 12;
  EXPECT_NE(make_shards(d, toy_cfg(3, 500), cfg).shards, a.shards);
}

TEST(Shards, KmeansRecoversWellSeparatedClusters) {
  const Dataset d = toy(6, 1200, 0.03);
  ShardsConfig cfg;
  cfg.k = 6;
  cfg.method = ShardMethod::kKmeans;
  for (int64_t seed : {0, 1, 2}) {
    cfg.seed = seed;
    const ShardManifest m = make_shards(d, toy_cfg(6, 1200), cfg);
    expect_partition(m);
    expect_pure(m);
    EXPECT_EQ(make_shards(d, toy_cfg(6, 1200), cfg).shards, m.shards);  // same seed, same shards
  }
}

TEST(Shards, BalancedKmeansHasEqualSizes) {
  // Overlapping components (std 0.3): whatever plain k-means would give, the balanced variant
  // gives exactly N / K examples per shard.
  const Dataset d = toy(4, 1000, 0.3);
  ShardsConfig cfg;
  cfg.k = 4;
  cfg.method = ShardMethod::kKmeans;
  cfg.balanced = true;
  const ShardManifest m = make_shards(d, toy_cfg(4, 1000), cfg);
  expect_partition(m);
  for (const auto& s : m.shards) EXPECT_EQ(s.size(), 250u);
}

TEST(Shards, KmeansOnAFeatureFile) {
  // Features that put label j at a far corner: k-means on them recovers the labels even though
  // the points themselves (large std) overlap.
  const Dataset d = toy(3, 300, 2.0);
  test::TempDir dir;
  std::vector<float> feats;
  for (int64_t i = 0; i < d.size(); ++i) {
    const int64_t l = d.labels[i].item<int64_t>();
    for (int f = 0; f < 3; ++f) feats.push_back(f == l ? 10.0f : 0.0f);
  }
  write_npy(dir / "f.npy", NpyArray::from(NpyType::kF32, {300, 3}, feats.data()));
  ShardsConfig cfg;
  cfg.k = 3;
  cfg.method = ShardMethod::kKmeans;
  cfg.features = dir / "f.npy";
  expect_pure(make_shards(d, toy_cfg(3, 300), cfg));
  write_npy(dir / "g.npy", NpyArray::from(NpyType::kF32, {100, 3}, feats.data()));
  cfg.features = dir / "g.npy";
  EXPECT_NE(test::error_of([&] { make_shards(d, toy_cfg(3, 300), cfg); }).find("100 feature rows for 300 examples"),
            std::string::npos);
}

TEST(Shards, Refusals) {
  const Dataset d = toy(4, 40);
  ShardsConfig cfg;
  cfg.k = 50;
  EXPECT_NE(test::error_of([&] {
              make_shards(d, toy_cfg(4, 40), cfg);
            }).find("shards.k = 50 is larger than the number of examples (40)"),
            std::string::npos);
  cfg.k = 3;
  EXPECT_NE(test::error_of([&] { make_shards(d, toy_cfg(4, 40), cfg); }).find("has 4 labels but shards.k = 3"),
            std::string::npos);
  // Five identical points cannot make three non-empty clusters.
  Dataset same = d.subset(torch::zeros({5}, torch::kLong));
  cfg.method = ShardMethod::kKmeans;
  EXPECT_NE(test::error_of([&] { make_shards(same, toy_cfg(4, 40), cfg); }).find("is empty"), std::string::npos);
  // A label with no examples leaves its shard empty.
  Dataset gap = d;
  gap.labels = d.labels.clone().masked_fill_(d.labels.eq(1), 2);
  cfg.method = ShardMethod::kLabel;
  cfg.k = 4;
  EXPECT_NE(test::error_of([&] { make_shards(gap, toy_cfg(4, 40), cfg); }).find("shard 1 of 4 is empty"),
            std::string::npos);
}

TEST(Shards, ManifestRoundTripAndChecks) {
  test::TempDir dir;
  const Dataset d = toy(4, 400);
  ShardsConfig cfg;
  cfg.k = 4;
  const ShardManifest m = make_shards(d, toy_cfg(4, 400), cfg);
  m.save(dir / "shards.json");
  const ShardManifest back = ShardManifest::load(dir / "shards.json");
  EXPECT_EQ(back.shards, m.shards);
  EXPECT_EQ(back.label_counts, m.label_counts);
  EXPECT_EQ(back.priors(), m.priors());
  EXPECT_TRUE(torch::equal(back.assignment(), d.labels));
  EXPECT_NO_THROW(back.check_matches(toy_cfg(4, 400), "m"));
  EXPECT_NE(test::error_of([&] {
              back.check_matches(toy_cfg(4, 401), "m");
            }).find("data.toy_samples = 400, the config says 401"),
            std::string::npos);
  Json j = m.to_json();
  j["shards"][1]["indices"][0] = j["shards"][0]["indices"][0];  // one index now in two shards
  test::write_bytes(dir / "bad.json", j.dump());
  EXPECT_NE(test::error_of([&] { ShardManifest::load(dir / "bad.json"); }).find("is in two shards"), std::string::npos);
  // n is checked against the listed indices before it sizes anything.
  j = m.to_json();
  j["n"] = int64_t{1} << 50;
  test::write_bytes(dir / "huge.json", j.dump());
  EXPECT_NE(test::error_of([&] {
              ShardManifest::load(dir / "huge.json");
            }).find("the shards list 400 indices, n = 1125899906842624"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { ShardManifest::load(dir / "none.json"); }).find("run `ddm prepare`"),
            std::string::npos);
}
// Found by fuzz_manifest: "k": 1e100 reached nlohmann's get<int64_t>(), a float to
// integer static_cast out of range (UBSan). Integers from files go through json_int now.
TEST(Shards, AManifestWithANonIntegerCountIsRefused) {
  const std::string path = std::string(DDM_SOURCE_DIR) + "/tests/fixtures/fuzz/manifest-k-1e100.json";
  const std::string e = test::error_of([&] { ShardManifest::load(path); });
  EXPECT_NE(e.find("manifest-k-1e100.json: expected an integer, got 1e+100"), std::string::npos) << e;
}

}  // namespace ddm

namespace ddm {
namespace {

// shards.method=folders: each subfolder of data.path is one party's data set, in name order, and
// the shards are those folders (no clustering over pooled data).
TEST(Shards, FoldersAreTheParties) {
  test::TempDir dir;
  test::write_tiny_fashion(dir / "b-second", 6);
  test::write_tiny_fashion(dir / "a-first", 4);
  DataConfig dc;
  dc.path = dir.path();
  const Dataset d = load_dataset(dc, ShardMethod::kFolders);
  EXPECT_EQ(d.size(), 10);
  EXPECT_EQ(d.parts, (std::vector<std::string>{"a-first", "b-second"}));
  ShardsConfig sc;
  sc.method = ShardMethod::kFolders;
  sc.k = 2;
  const ShardManifest m = make_shards(d, dc, sc);
  EXPECT_EQ(m.shards[0], (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(m.shards[1].size(), 6u);
  // The first folder's examples come first, unchanged.
  DataConfig first = dc;
  first.path = dir / "a-first";
  EXPECT_TRUE(torch::equal(d.data.slice(0, 0, 4), load_dataset(first).data));
  sc.k = 3;
  EXPECT_EQ(test::error_of([&] { make_shards(d, dc, sc); }),
            "shards.method=folders: data.path has 2 party folders (a-first..b-second) but shards.k = 3 (set "
            "shards.k=2)");
  std::filesystem::create_directories(dir / "c-empty");
  EXPECT_NE(test::error_of([&] { load_dataset(dc, ShardMethod::kFolders); }).find("c-empty"), std::string::npos);
}

// shards.method=counts: the priors of experts trained elsewhere, from their counts alone.
TEST(Shards, ACountsManifestHoldsPriorsAndNoExamples) {
  ShardsConfig sc;
  sc.method = ShardMethod::kCounts;
  sc.k = 3;
  sc.counts = {10, 30, 60};
  const ShardManifest m = manifest_from_counts(sc);
  EXPECT_EQ(m.priors(), (std::vector<double>{0.1, 0.3, 0.6}));
  test::TempDir dir;
  m.save(dir / "shards.json");
  const ShardManifest back = ShardManifest::load(dir / "shards.json");
  EXPECT_EQ(back.priors(), m.priors());
  EXPECT_EQ(back.size(2), 60);
  EXPECT_NE(test::error_of([&] { back.indices(0); }).find("lists no examples"), std::string::npos);
  EXPECT_NE(test::error_of([] { load_dataset(DataConfig{}, ShardMethod::kCounts); }).find("no data set"),
            std::string::npos);
}

}  // namespace
}  // namespace ddm
