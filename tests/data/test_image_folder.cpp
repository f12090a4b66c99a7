// Image-folder loader (CelebA-HQ style): exact pixels at native size, label files and CelebA
// attribute tables, and bad input.
#include <gtest/gtest.h>

#include "data/dataset.h"
#include "data/image_folder.h"
#include "test_util.h"
#include "util/error.h"
#include "util/image.h"

namespace ddm {
namespace {

Image pattern(int salt) {
  Image img;
  img.width = img.height = 8;
  img.channels = 3;
  for (int p = 0; p < 64; ++p)
    for (int c = 0; c < 3; ++c) img.pixels.push_back(static_cast<uint8_t>(salt * 40 + p * 3 + c * 60));
  return img;
}

ImageFolderOptions folder(const std::string& dir, int resolution) {
  ImageFolderOptions opt;
  opt.dir = dir;
  opt.resolution = resolution;
  return opt;
}

}  // namespace

TEST(ImageFolder, ReadsImagesInNameOrderWithLabels) {
  test::TempDir dir;
  for (int i = 0; i < 3; ++i) write_png(dir / ("img" + std::to_string(i) + ".png"), pattern(i));
  test::write_bytes(dir / "labels.txt", "img2.png 1\nimg0.png 0\n\nimg1.png 5\n");
  ImageFolderOptions opt;
  opt.dir = dir.path();
  opt.resolution = 8;
  opt.labels = dir / "labels.txt";
  const Dataset d = dataset_from_raw(read_image_folder(opt), "folder");
  ASSERT_EQ(d.data.sizes(), (torch::IntArrayRef{3, 3, 8, 8}));
  for (int i = 0; i < 3; ++i)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(d.data[i][c][2][3].item<int>(), pattern(i).pixels[(2 * 8 + 3) * 3 + c]);
  EXPECT_EQ(d.labels[1].item<int64_t>(), 5);
  opt.resolution = 4;  // downscaled
  EXPECT_EQ(read_image_folder(opt).sample_shape, (std::vector<int64_t>{3, 4, 4}));
}

TEST(ImageFolder, CelebaAttributeTable) {
  test::TempDir dir;
  for (int i = 0; i < 2; ++i) write_png(dir / (std::to_string(i) + ".jpg.png"), pattern(i));
  test::write_bytes(dir / "attr.txt", "2\nSmiling Male Young\n0.jpg.png -1 1 1\n1.jpg.png 1 -1 1\n");
  ImageFolderOptions opt;
  opt.dir = dir.path();
  opt.resolution = 8;
  opt.labels = dir / "attr.txt";
  opt.attribute = "Male";
  const RawData raw = read_image_folder(opt);
  EXPECT_EQ(raw.labels, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(raw.class_names[1], "Male");
  opt.attribute = "Bald";
  EXPECT_NE(test::error_of([&] { read_image_folder(opt); }).find("no attribute 'Bald'"), std::string::npos);
}

TEST(ImageFolder, BadInput) {
  test::TempDir dir;
  EXPECT_NE(test::error_of([&] { read_image_folder(folder(dir / "none", 8)); }).find("does not exist"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { read_image_folder(folder(dir.path(), 8)); }).find("holds no"), std::string::npos);
  write_png(dir / "a.png", pattern(0));
  test::write_bytes(dir / "b.png", "not a png");
  EXPECT_NE(test::error_of([&] { read_image_folder(folder(dir.path(), 8)); }).find(dir / "b.png"), std::string::npos);
  std::filesystem::remove(dir / "b.png");
  test::write_bytes(dir / "labels.txt", "other.png 1\n");
  ImageFolderOptions opt = folder(dir.path(), 8);
  opt.labels = dir / "labels.txt";
  EXPECT_NE(test::error_of([&] { read_image_folder(opt); }).find("no label for image a.png"), std::string::npos);
}
}  // namespace ddm
