// The feature classifier learns its labels, its features separate distributions, it reloads
// from its file; `ddm fid` on statistics files prints the Frechet distance and names what it
// cannot do.
#include <gtest/gtest.h>

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
