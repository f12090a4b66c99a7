// stb-backed image I/O (see image.h). libstb.so from Debian carries the implementations.
#include "util/image.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>

#include <algorithm>

#include "util/error.h"
#include "util/fs.h"

namespace ddm {

Image read_image(const std::string& path, int channels) {
  int w = 0, h = 0, c = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &c, channels);
  if (!data) fail("cannot decode image {}: {}", path, stbi_failure_reason() ? stbi_failure_reason() : "unknown error");
  Image img;
  img.width = w;
  img.height = h;
  img.channels = channels ? channels : c;
  img.pixels.assign(data, data + static_cast<size_t>(w) * h * img.channels);
  stbi_image_free(data);
  return img;
}

std::vector<uint8_t> encode_png(const Image& image) {
  require(image.width > 0 && image.height > 0 && (image.channels >= 1 && image.channels <= 4),
          "encode_png: bad image shape {}x{}x{}", image.width, image.height, image.channels);
  std::vector<uint8_t> out;
  auto sink = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<uint8_t>*>(ctx);
    v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  const int ok = stbi_write_png_to_func(sink, &out, image.width, image.height, image.channels,
                                        image.pixels.data(), image.width * image.channels);
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
  const int ok = stbir_resize_uint8(image.pixels.data(), image.width, image.height, 0, out.pixels.data(), width,
                                    height, 0, image.channels);
  require(ok != 0, "image resize failed");
  return out;
}

Image resize_center_crop(const Image& image, int size) {
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
    std::copy_n(scaled.row(y0 + y) + static_cast<size_t>(x0) * image.channels, static_cast<size_t>(size) * image.channels,
                out.row(y));
  return out;
}

}  // namespace ddm
