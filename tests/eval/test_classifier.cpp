// The feature classifier learns its labels, its features separate distributions, it reloads
// from its file; `ddm fid` on statistics files prints the Frechet distance and names what it
// cannot do.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "eval/classifier.h"
#include "eval/classifier_trainer.h"
#include "eval/frechet.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/image.h"

namespace ddm {
namespace {

Dataset two_classes() {
  torch::manual_seed(0);
  Dataset d;
  d.name = "two-classes";
  const auto dark = torch::randint(0, 100, {200, 1, 8, 8}, torch::kUInt8);
  const auto bright = torch::randint(150, 256, {200, 1, 8, 8}, torch::kUInt8);
  d.data = torch::cat({dark, bright});
  d.labels = torch::cat({torch::zeros({200}, torch::kInt64), torch::ones({200}, torch::kInt64)});
  return d;
}

// Table 1's class columns (eval/table1.cpp) on a head whose logits are set by hand: sample i's
// feature vector is the unit vector e_i, so its logits are column i of the head's weight. The
// class shares, the mean confidence (the mean of each sample's largest softmax probability) and
// the TV to given proportions are computed here independently.
TEST(Classifier, ClassSharesConfidenceAndTvAreTheirDefinitions) {
  Classifier net(1, 3);
  const std::vector<std::vector<double>> logits = {{2, 0, 0}, {0, 1, 0}, {3, 1, 0}, {0, 0, 0.5}, {0, 4, 1}};
  torch::NoGradGuard g;
  auto params = net.named_parameters();
  params["head.weight"].zero_();
  params["head.bias"].zero_();
  for (size_t i = 0; i < logits.size(); ++i)
    for (int c = 0; c < 3; ++c) params["head.weight"][c][static_cast<int64_t>(i)] = logits[i][c];
  const torch::Tensor features = torch::eye(Classifier::kFeatures).slice(0, 0, static_cast<int64_t>(logits.size()));
  const ClassReport r = class_report(net, features);
  // argmax classes: 0, 1, 0, 2, 1 -> shares 2/5, 2/5, 1/5
  ASSERT_EQ(r.share.size(), 3u);
  EXPECT_DOUBLE_EQ(r.share[0], 0.4);
  EXPECT_DOUBLE_EQ(r.share[1], 0.4);
  EXPECT_DOUBLE_EQ(r.share[2], 0.2);
  double confidence = 0;
  for (const auto& l : logits) {
    double z = 0;
    for (double v : l) z += std::exp(v);
    confidence += std::exp(*std::max_element(l.begin(), l.end())) / z / static_cast<double>(logits.size());
  }
  EXPECT_NEAR(r.mean_confidence, confidence, 1e-6);
  EXPECT_NEAR(r.tv_from({0.5, 0.25, 0.25}), (0.1 + 0.15 + 0.05) / 2, 1e-12);
  EXPECT_NEAR(r.tv_from({0.4, 0.4, 0.2}), 0.0, 1e-12);
}

TEST(Classifier, LearnsLabelsAndItsFeaturesSeparateDistributions) {
  test::TempDir dir;
  const Dataset d = two_classes();
  const TrainedClassifier c = load_or_train_classifier(dir.path(), d, 60, 1, torch::kCPU);
  EXPECT_GT(c.heldout_accuracy, 0.95);
  const auto f0 = classifier_features(*c.net, d.batch(torch::arange(0, 200)), torch::kCPU);
  const auto f1 = classifier_features(*c.net, d.batch(torch::arange(200, 400)), torch::kCPU);
  EXPECT_EQ(f0.size(1), Classifier::kFeatures);
  const FeatureStats a = feature_stats(f0.slice(0, 0, 100)), b = feature_stats(f0.slice(0, 100)),
                     c1 = feature_stats(f1);
  EXPECT_LT(frechet_distance(a, b), frechet_distance(a, c1));
  // The second call loads the saved classifier: same features.
  const TrainedClassifier again = load_or_train_classifier(dir.path(), d, 60, 1, torch::kCPU);
  EXPECT_TRUE(
      torch::allclose(classifier_features(*again.net, d.batch(torch::arange(0, 10)), torch::kCPU), f0.slice(0, 0, 10)));
}

TEST(FidCommand, ComparesStatisticsFilesAndRefusesWhatItCannotDo) {
  test::TempDir dir;
  torch::manual_seed(2);
  const FeatureStats a = feature_stats(torch::randn({100, 5}, torch::kFloat64));
  const FeatureStats b = feature_stats(torch::randn({100, 5}, torch::kFloat64) + 0.5);
  save_stats(dir / "a.npz", a);
  save_stats(dir / "b.npz", b);
  const auto r = test::run_ddm("fid " + dir / "a.npz " + dir / "b.npz");
  ASSERT_EQ(r.status, 0) << r.output;
  const size_t at = r.output.find("Frechet distance: ");
  ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_NEAR(std::stod(r.output.substr(at + 18)), frechet_distance(a, b), 1e-3);
  // Two statistics files need no network, whatever --features says; images do.
  EXPECT_EQ(test::run_ddm("fid --features inception " + dir / "a.npz " + dir / "b.npz").status, 0);
  auto png = [&](const std::string& name, int size, int channels) {
    Image im;
    im.width = im.height = size;
    im.channels = channels;
    im.pixels.assign(static_cast<size_t>(size) * size * channels, 100);
    write_png(dir / name, im);
  };
  png("imgs/0.png", 8, 3);
  png("imgs/1.png", 8, 3);
  test::expect_error(test::run_ddm("fid --features inception " + dir / "imgs " + dir / "b.npz"), 1,
                     "pt_inception-2015-12-05-6726825d.pth");
  test::expect_error(
      test::run_ddm("fid --features inception --inception-weights " + dir / "none.pth " + dir / "imgs " +
                    dir / "b.npz"),
      1,
      "none.pth: no such Inception weights file (pytorch-fid's pt_inception-2015-12-05-6726825d.pth: download it once");
  png("sizes/0.png", 8, 3);
  png("sizes/1.png", 9, 3);
  test::expect_error(
      test::run_ddm("fid --features inception --inception-weights x.pth " + dir / "sizes " + dir / "b.npz"), 1,
      "images of mixed sizes");
  png("channels/0.png", 8, 3);
  png("channels/1.png", 8, 1);
  test::expect_error(
      test::run_ddm("fid --features inception --inception-weights x.pth " + dir / "channels " + dir / "b.npz"), 1,
      "images of mixed channels");
  save_stats(dir / "c.npz", feature_stats(torch::randn({100, 6}, torch::kFloat64)));
  test::expect_error(test::run_ddm("fid " + dir / "a.npz " + dir / "c.npz"), 1, "has 5-d statistics");
  test::write_bytes(dir / "x.txt", "hello");
  test::expect_error(test::run_ddm("fid " + dir / "a.npz " + dir / "nothing.npz"), 1, "nothing.npz");
}

}  // namespace
}  // namespace ddm
