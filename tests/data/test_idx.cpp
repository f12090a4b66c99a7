// IDX loader (Fashion-MNIST/MNIST): exact pixels and labels, gzipped or not, and bad files.
#include <gtest/gtest.h>

#include "data/data_files.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "util/error.h"

namespace ddm {
TEST(Idx, ReadsPlainAndGzippedExactly) {
  test::TempDir dir;
  const std::vector<uint8_t> labels = {3, 1, 4, 1, 5};
  test::write_bytes(dir / "im", test::idx_images(5, 6, 4));
  test::write_gz(dir / "im.gz", test::idx_images(5, 6, 4));
  test::write_bytes(dir / "lb", test::idx_labels(labels));
  for (const char* name : {"im", "im.gz"}) {
    const RawData raw = read_idx(dir / name, dir / "lb");
    ASSERT_EQ(raw.n, 5);
    EXPECT_EQ(raw.sample_shape, (std::vector<int64_t>{1, 6, 4}));
    for (int i = 0; i < 5; ++i)
      for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 4; ++x) ASSERT_EQ(raw.pixels[(i * 6 + y) * 4 + x], test::idx_pixel(i, y, x));
    EXPECT_EQ(raw.labels, (std::vector<int64_t>{3, 1, 4, 1, 5}));
  }
}

TEST(Idx, LoadDatasetFindsFilesMapsToModelSpaceAndPads) {
  test::TempDir dir;
  test::write_gz(dir / "train-images-idx3-ubyte.gz", test::idx_images(3, 28, 28));
  test::write_gz(dir / "train-labels-idx1-ubyte.gz", test::idx_labels({0, 9, 2}));
  DataConfig cfg;
  cfg.dataset = DatasetKind::kMnist;
  cfg.path = dir.path();
  const Dataset d = load_dataset(cfg);
  ASSERT_EQ(d.data.sizes(), (torch::IntArrayRef{3, 1, 28, 28}));
  EXPECT_EQ(d.data[2][0][5][7].item<int>(), test::idx_pixel(2, 5, 7));
  const torch::Tensor x = d.batch(torch::tensor({2}));
  EXPECT_FLOAT_EQ(x[0][0][5][7].item<float>(), test::idx_pixel(2, 5, 7) / 127.5f - 1.0f);
  EXPECT_EQ(d.labels[1].item<int64_t>(), 9);

  cfg.pad = 2;
  const Dataset p = load_dataset(cfg);
  ASSERT_EQ(p.data.sizes(), (torch::IntArrayRef{3, 1, 32, 32}));
  EXPECT_EQ(p.data[2][0][7][9].item<int>(), test::idx_pixel(2, 5, 7));
  EXPECT_EQ(p.data.slice(2, 0, 2).sum().item<int64_t>(), 0);  // zero border
  EXPECT_EQ(p.data.slice(3, 30, 32).sum().item<int64_t>(), 0);
}

TEST(Idx, BadFilesNameTheFile) {
  test::TempDir dir;
  std::string im = test::idx_images(4, 3, 3);
  std::string wrong = im;
  wrong[3] = 0x02;
  test::write_bytes(dir / "magic", wrong);
  EXPECT_NE(test::error_of([&] { read_idx(dir / "magic", ""); }).find(dir / "magic" + ": wrong IDX magic number"),
            std::string::npos);
  test::write_bytes(dir / "short", im.substr(0, im.size() - 5));
  EXPECT_EQ(test::error_of([&] { read_idx(dir / "short", ""); }),
            dir / "short" + ": truncated: header says 36 values, file holds 31");
  test::write_gz(dir / "short.gz", im.substr(0, im.size() - 5));
  EXPECT_NE(test::error_of([&] { read_idx(dir / "short.gz", ""); }).find("truncated"), std::string::npos);
  test::write_bytes(dir / "long", im + "xyz");
  EXPECT_NE(test::error_of([&] { read_idx(dir / "long", ""); }).find("do not match"), std::string::npos);
  test::write_bytes(dir / "im", im);
  test::write_bytes(dir / "lb", test::idx_labels({1, 2, 3}));
  EXPECT_NE(test::error_of([&] { read_idx(dir / "im", dir / "lb"); }).find("3 labels for 4 images"), std::string::npos);
  EXPECT_NE(test::error_of([&] { read_idx(dir / "nothing", ""); }).find("missing IDX file"), std::string::npos);
  test::write_bytes(dir / "corrupt.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage", 25));
  EXPECT_NE(test::error_of([&] { read_idx(dir / "corrupt.gz", ""); }).find("corrupt.gz"), std::string::npos);
}

// A header's claim is checked before it is allocated: against the file's size when
// plain, against data.max_bytes when gzipped (whose size is unknown until inflated).
TEST(Idx, DeclaredSizesAreCheckedBeforeAllocating) {
  test::TempDir dir;
  // 2^28 x 2^28 x 2^28 values overflow 64 bits: refused, not wrapped into a small allocation.
  const std::string huge =
      test::be32(0x00000803) + test::be32(1 << 28) + test::be32(1 << 28) + test::be32(1 << 28) + "ab";
  test::write_gz(dir / "huge.gz", huge);
  EXPECT_EQ(test::error_of([&] { read_idx(dir / "huge.gz", ""); }),
            dir / "huge.gz" +
                ": the IDX header declares more than 2^64 bytes, more than data.max_bytes = 8589934592 "
                "(raise data.max_bytes if the file is genuine)");
  test::write_bytes(dir / "huge", huge);
  EXPECT_NE(test::error_of([&] { read_idx(dir / "huge", ""); }).find("declares more than 2^64 bytes"),
            std::string::npos);
  test::write_bytes(dir / "big", test::be32(0x00000803) + test::be32(1000) + test::be32(28) + test::be32(28) + "ab");
  EXPECT_EQ(test::error_of([&] { read_idx(dir / "big", ""); }),
            dir / "big" + ": truncated: header says 784000 values, file holds 2");
  // Within 64 bits but above a lowered cap: the declared size is named.
  test::write_gz(dir / "im.gz", test::idx_images(10, 28, 28));
  EXPECT_NE(test::error_of([&] {
              read_idx(dir / "im.gz", "", 7000);
            }).find("declares 7840 bytes, more than data.max_bytes = 7000"),
            std::string::npos);
  EXPECT_EQ(read_idx(dir / "im.gz", "", 7840).n, 10);
}
}  // namespace ddm
