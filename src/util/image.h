// 8-bit images on the CPU (HWC, row-major): decoding PNG/JPEG/BMP (libpng, libjpeg-turbo,
// stb_image: image_decode.h), writing PNG (stb_image_write), resizing (stb_image_resize) and
// centre-cropping. No torch here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "util/byte_limit.h"

namespace ddm {

struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels, HWC
  uint8_t* row(int y) { return pixels.data() + static_cast<size_t>(y) * width * channels; }
  const uint8_t* row(int y) const { return pixels.data() + static_cast<size_t>(y) * width * channels; }
};

// Decodes a PNG, JPEG or BMP file, recognised by its first bytes (anything else is refused);
// `channels` forces 1 (grey) or 3 (RGB), 0 keeps the file's own. An image whose header declares more than `max_bytes`
// of pixels is refused before decoding.
Image read_image(const std::string& path, int channels = 0, int64_t max_bytes = kDefaultMaxBytes);
// Writes a PNG atomically.
void write_png(const std::string& path, const Image& image);
Image resize_image(const Image& image, int width, int height);
// Scales the shorter side to `size` and crops the centre to size x size.
Image resize_center_crop(const Image& image, int size);
// Encodes a PNG into memory (tests compare decoded pixels; write_png uses it).
std::vector<uint8_t> encode_png(const Image& image);

}  // namespace ddm
