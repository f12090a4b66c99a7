// Image I/O: exact PNG round trips, resize/crop geometry, and errors naming the file.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <cstdlib>

#include "test_util.h"
#include "util/error.h"
#include "util/image.h"

namespace ddm {

Image test_pattern(int w, int h, int c) {
  Image img;
  img.width = w;
  img.height = h;
  img.channels = c;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k) img.pixels.push_back(static_cast<uint8_t>((x * 37 + y * 11 + k * 101) % 256));
  return img;
}

TEST(Image, PngRoundTripIsExact) {
  test::TempDir dir;
  for (int c : {1, 3}) {
    const Image img = test_pattern(13, 7, c);
    write_png(dir / "a.png", img);
    const Image back = read_image(dir / "a.png");
    EXPECT_EQ(back.width, 13);
    EXPECT_EQ(back.height, 7);
    EXPECT_EQ(back.channels, c);
    EXPECT_EQ(back.pixels, img.pixels);
  }
}

TEST(Image, ResizeCenterCropKeepsTheCentre) {
  // A 40x20 image whose left and right quarters are black, middle white: the centre crop of
  // the 20x10-scaled... is all white.
  Image img;
  img.width = 40;
  img.height = 20;
  img.channels = 1;
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 40; ++x) img.pixels.push_back(x >= 10 && x < 30 ? 255 : 0);
  const Image out = resize_center_crop(img, 10);
  EXPECT_EQ(out.width, 10);
  EXPECT_EQ(out.height, 10);
  int white = 0;
  for (auto p : out.pixels) white += p > 200;
  EXPECT_GE(white, 80);  // the crop is the white middle, up to filter ringing at its edges
}

TEST(Image, UnreadableImageNamesTheFile) {
  test::TempDir dir;
  test::write_bytes(dir / "broken.png", "\x89PNG\r\n\x1a\n garbage");
  try {
    read_image(dir / "broken.png");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.png"), std::string::npos) << e.what();
  }
}

// Only the formats ddm reads reach a decoder, and a header's size is checked first.
TEST(Image, OtherFormatsAndOversizedHeadersAreRefused) {
  test::TempDir dir;
  test::write_bytes(dir / "a.png", "GIF89a\x01\x00\x01\x00");
  EXPECT_EQ(test::error_of([&] { read_image(dir / "a.png"); }), dir / "a.png" + ": not a PNG, JPEG or BMP image");
  const std::vector<uint8_t> png = encode_png(test_pattern(64, 32, 3));
  test::write_bytes(dir / "b.png", std::string(png.begin(), png.end()));
  EXPECT_EQ(test::error_of([&] { read_image(dir / "b.png", 0, 6000); }),
            dir / "b.png" +
                ": the image header (64x32) declares 6144 bytes, more than data.max_bytes = 6000 (raise "
                "data.max_bytes if the file is genuine)");
  EXPECT_EQ(read_image(dir / "b.png", 0, 6144).pixels, test_pattern(64, 32, 3).pixels);
}

// Each decoder on a file from an independent encoder (stb_image_write): BMP exactly, JPEG at
// quality 100 within JPEG's rounding, and the channel conversions keep stb_image's rules.
TEST(Image, DecodesJpegAndBmpFromAnotherEncoder) {
  test::TempDir dir;
  const Image img = test_pattern(16, 12, 3);
  std::string bmp, jpg;
  auto sink = [](void* ctx, void* data, int size) {
    static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size);
  };
  ASSERT_TRUE(stbi_write_bmp_to_func(sink, &bmp, 16, 12, 3, img.pixels.data()));
  ASSERT_TRUE(stbi_write_jpg_to_func(sink, &jpg, 16, 12, 3, img.pixels.data(), 100));
  test::write_bytes(dir / "a.bmp", bmp);
  test::write_bytes(dir / "a.jpg", jpg);
  EXPECT_EQ(read_image(dir / "a.bmp").pixels, img.pixels);
  const Image j = read_image(dir / "a.jpg");
  ASSERT_EQ(j.pixels.size(), img.pixels.size());
  double err = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i) err += std::abs(int(j.pixels[i]) - int(img.pixels[i]));
  EXPECT_LT(err / img.pixels.size(), 12.0);  // a high-frequency pattern with 4:2:0 chroma: a few levels off
  const Image grey = read_image(dir / "a.bmp", 1);
  ASSERT_EQ(grey.channels, 1);
  const uint8_t* p = img.pixels.data() + 3 * 5;  // pixel 5 of row 0
  EXPECT_EQ(grey.pixels[5], (p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8);
}

}  // namespace ddm
