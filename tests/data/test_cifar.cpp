// CIFAR-10 binary loader: exact channel-major pixels and labels, and bad files.
#include <gtest/gtest.h>

#include "data/cifar.h"
#include "data/data_files.h"
#include "data/dataset.h"
#include "util/error.h"

namespace ddm {

namespace {
void write_cifar(const test::TempDir& dir, int records) {
  for (int b = 1; b <= 5; ++b)
    test::write_bytes(dir / ("data_batch_" + std::to_string(b) + ".bin"), test::cifar_batch(b, records));
  test::write_bytes(dir / "test_batch.bin", test::cifar_batch(0, records + 1));
}
}  // namespace

TEST(Cifar, ReadsTrainAndTestExactly) {
  test::TempDir dir;
  write_cifar(dir, 2);
  DataConfig cfg;
  cfg.dataset = DatasetKind::kCifar10;
  cfg.path = dir.path();
  const Dataset train = load_dataset(cfg);
  ASSERT_EQ(train.data.sizes(), (torch::IntArrayRef{10, 3, 32, 32}));
  // Example 7 is record 1 of data_batch_4; channel-major: channel c, row y, column x is byte
  // 1 + c * 1024 + y * 32 + x of the record.
  for (int c = 0; c < 3; ++c)
    for (int p : {0, 33, 1023}) EXPECT_EQ(train.data[7][c][p / 32][p % 32].item<int>(), test::cifar_pixel(4, 1, c, p));
  EXPECT_EQ(train.labels[7].item<int64_t>(), (1 * 3 + 4) % 10);
  EXPECT_EQ(train.class_names[0], "airplane");
  cfg.split = Split::kTest;
  const Dataset test_set = load_dataset(cfg);
  EXPECT_EQ(test_set.size(), 3);
  EXPECT_EQ(test_set.data[2][1][0][5].item<int>(), test::cifar_pixel(0, 2, 1, 5));
}

TEST(Cifar, MissingOrTruncatedFilesAreNamed) {
  test::TempDir dir;
  write_cifar(dir, 2);
  std::filesystem::remove(dir / "data_batch_3.bin");
  EXPECT_EQ(test::error_of([&] { read_cifar10(dir.path(), true); }),
            "missing CIFAR-10 file " + dir / "data_batch_3.bin");
  test::write_bytes(dir / "data_batch_3.bin", test::cifar_batch(3, 2).substr(0, 5000));
  EXPECT_EQ(test::error_of([&] { read_cifar10(dir.path(), true); }),
            dir / "data_batch_3.bin" + ": 5000 bytes is not a whole number of 3073-byte CIFAR-10 records (truncated?)");
  std::string bad = test::cifar_batch(3, 2);
  bad[kCifarRecordBytes] = 42;
  test::write_bytes(dir / "data_batch_3.bin", bad);
  EXPECT_NE(test::error_of([&] { read_cifar10(dir.path(), true); }).find("record 1 has label 42"), std::string::npos);
}
}  // namespace ddm
