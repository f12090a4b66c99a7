// Image I/O: exact PNG round trips, resize/crop geometry, and errors naming the file.
#include <gtest/gtest.h>

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

}  // namespace ddm
