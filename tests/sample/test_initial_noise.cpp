// The initial noise of a sampling run: drawn per batch from (seed, batch index), or read from
// sample.noise; a file written by save_noise reproduces the drawn run exactly; a wrong dtype,
// shape, count or value is a one-line error naming the file.
#include <gtest/gtest.h>

#include "config/config.h"
#include "sample/initial_noise.h"
#include "sample/sampler.h"
#include "test_util.h"
#include "util/npy.h"

namespace ddm {
namespace {

SampleConfig noise_config(int64_t num, int batch) {
  SampleConfig sc;
  sc.num = num;
  sc.batch_size = batch;
  sc.seed = 5;
  sc.steps = 3;
  return sc;
}

TEST(InitialNoise, DrawnNoiseIsPerBatchAndASavedFileReproducesTheRun) {
  test::TempDir dir;
  Config cfg;
  cfg.model.arch = ModelArch::kMlp;
  const SamplingModel m = untrained_sampling_model(cfg, {2}, 1, std::nullopt, torch::kCPU);
  SampleConfig sc = noise_config(7, 3);
  const InitialNoise drawn(sc, {2});
  EXPECT_FALSE(drawn.from_file());
  const torch::Tensor all = drawn.all();
  ASSERT_EQ(all.sizes(), torch::IntArrayRef({7, 2}));
  EXPECT_TRUE(torch::equal(all.slice(0, 3, 6), drawn.batch(1, 3, 3)));     // batch 1 is rows 3..5
  EXPECT_FALSE(torch::equal(drawn.batch(0, 0, 3), drawn.batch(1, 0, 3)));  // batches draw from their own streams
  const torch::Tensor a = generate_samples(m, sc, torch::kCPU, false).samples;
  save_noise(dir / "noise.npy", all);
  sc.noise = dir / "noise.npy";
  const InitialNoise read(sc, {2});
  EXPECT_TRUE(read.from_file());
  EXPECT_TRUE(torch::equal(read.all(), all));
  EXPECT_TRUE(torch::equal(generate_samples(m, sc, torch::kCPU, false).samples, a));
  sc.batch_size = 2;  // the file's rows do not depend on how the run is batched
  EXPECT_TRUE(torch::allclose(generate_samples(m, sc, torch::kCPU, false).samples, a, 1e-6, 1e-6));
}

TEST(InitialNoise, BadFilesAreOneLineErrorsNamingTheFile) {
  test::TempDir dir;
  SampleConfig sc = noise_config(4, 4);
  auto error_for = [&](const NpyArray& a) {
    write_npy(dir / "n.npy", a);
    sc.noise = dir / "n.npy";
    const std::string e = test::error_of([&] { InitialNoise(sc, {1, 2, 2}); });
    EXPECT_EQ(test::count_lines(e), 1) << e;
    EXPECT_NE(e.find(dir / "n.npy"), std::string::npos) << e;
    return e;
  };
  const std::vector<double> d(16, 0.5);
  EXPECT_NE(error_for(NpyArray::from(NpyType::kF64, {4, 1, 2, 2}, d.data())).find("must be a float32 array, got"),
            std::string::npos);
  const std::vector<float> f(16, 0.5f);
  EXPECT_NE(
      error_for(NpyArray::from(NpyType::kF32, {4, 2, 2}, f.data())).find("has shape [4, 2, 2], expected [4, 1, 2, 2]"),
      std::string::npos);
  EXPECT_NE(error_for(NpyArray::from(NpyType::kF32, {2, 2, 2, 2}, f.data())).find("expected [4, 1, 2, 2]"),
            std::string::npos);
  EXPECT_NE(error_for(NpyArray::from(NpyType::kF32, {8, 1, 1, 2}, f.data())).find("expected [4, 1, 2, 2]"),
            std::string::npos);
  std::vector<float> rows(32, 0.5f);
  EXPECT_NE(
      error_for(NpyArray::from(NpyType::kF32, {8, 1, 2, 2}, rows.data())).find("holds 8 samples, but sample.num is 4"),
      std::string::npos);
  std::vector<float> nan = f;
  nan[5] = std::nanf("");
  EXPECT_NE(error_for(NpyArray::from(NpyType::kF32, {4, 1, 2, 2}, nan.data())).find("NaN or infinite"),
            std::string::npos);
  sc.noise = dir / "missing.npy";
  EXPECT_NE(test::error_of([&] { InitialNoise(sc, {1, 2, 2}); }).find("missing.npy"), std::string::npos);
}

}  // namespace
}  // namespace ddm
