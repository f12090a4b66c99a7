// Image I/O (see image.h): decoding through image_decode.h, PNG writing and resizing through
// stb (libstb.so from Debian carries the implementations).
#include "util/image.h"

#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "util/error.h"
#include "util/fs.h"
#include "util/image_decode.h"

namespace ddm {

namespace {

// The requested channels from the file's own, with stb_image's rules (so that data sets read
// before the decoders changed give the same pixels): grey = (77 R + 150 G + 29 B) >> 8, grey is
// replicated into RGB, alpha is dropped.
Image convert_channels(Image img, int channels) {
  if (channels == 0 || channels == img.channels) return img;
  const bool colour = img.channels >= 3;
  Image out;
  out.width = img.width, out.height = img.height, out.channels = channels;
  const size_t n = static_cast<size_t>(img.width) * img.height;
  out.pixels.resize(n * static_cast<size_t>(channels));
  for (size_t p = 0; p < n; ++p) {
    const uint8_t* in = img.pixels.data() + p * img.channels;
    uint8_t* o = out.pixels.data() + p * channels;
    if (channels == 1)
      o[0] = colour ? static_cast<uint8_t>((in[0] * 77 + in[1] * 150 + in[2] * 29) >> 8) : in[0];
    else
      for (int k = 0; k < 3; ++k) o[k] = colour ? in[k] : in[0];
  }
  return out;
}

}  // namespace

Image read_image(const std::string& path, int channels, int64_t max_bytes) {
  require(channels == 0 || channels == 1 || channels == 3, "read_image: channels must be 0, 1 or 3, not {}", channels);
  const std::string bytes = read_file(path);
  const std::string_view b(bytes);
  if (b.starts_with("\x89PNG\r\n\x1a\n")) return convert_channels(decode_png(b, path, max_bytes), channels);
  if (b.starts_with("\xff\xd8\xff")) return convert_channels(decode_jpeg(b, path, max_bytes), channels);
  if (b.starts_with("BM")) return convert_channels(decode_bmp(b, path, max_bytes), channels);
  fail("{}: not a PNG, JPEG or BMP image", path);
}

std::vector<uint8_t> encode_png(const Image& image) {
  require(image.width > 0 && image.height > 0 && (image.channels >= 1 && image.channels <= 4),
          "encode_png: bad image shape {}x{}x{}", image.width, image.height, image.channels);
  std::vector<uint8_t> out;
  auto sink = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<uint8_t>*>(ctx);
    v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  const int ok = stbi_write_png_to_func(sink, &out, image.width, image.height, image.channels, image.pixels.data(),
                                        image.width * image.channels);
  require(ok != 0, "PNG encoding failed");
  return out;
}

void write_png(const std::string& path, const Image& image) {
  const std::vector<uint8_t> bytes = encode_png(image);
  atomic_write(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Image resize_image(const Image& image, int width, int height) {
  Image out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<size_t>(width) * height * image.channels);
  const int ok = stbir_resize_uint8(image.pixels.data(), image.width, image.height, 0, out.pixels.data(), width, height,
                                    0, image.channels);
  require(ok != 0, "image resize failed");
  return out;
}

Image resize_center_crop(const Image& image, int size) {
  require(image.width > 0 && image.height > 0 && size > 0, "resize_center_crop: {}x{} image to {}", image.width,
          image.height, size);
  const double scale = static_cast<double>(size) / std::min(image.width, image.height);
  const int w = std::max(size, static_cast<int>(image.width * scale + 0.5));
  const int h = std::max(size, static_cast<int>(image.height * scale + 0.5));
  const Image scaled = (w == image.width && h == image.height) ? image : resize_image(image, w, h);
  const int x0 = (w - size) / 2, y0 = (h - size) / 2;
  Image out;
  out.width = out.height = size;
  out.channels = image.channels;
  out.pixels.resize(static_cast<size_t>(size) * size * image.channels);
  for (int y = 0; y < size; ++y)
    std::copy_n(scaled.row(y0 + y) + static_cast<size_t>(x0) * image.channels,
                static_cast<size_t>(size) * image.channels, out.row(y));
  return out;
}

}  // namespace ddm
