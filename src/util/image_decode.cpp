// PNG, JPEG and BMP decoders (see image_decode.h).
#include "util/image_decode.h"

#include <jpeglib.h>
#include <png.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t first

#include "util/byte_limit.h"
#include "util/error.h"

namespace ddm {
namespace {

void check_pixels(const std::string& path, int64_t w, int64_t h, int channels, int64_t max_bytes) {
  if (w <= 0 || h <= 0) fail("{}: the image header declares {}x{} pixels", path, w, h);
  const uint64_t bytes = saturating_mul(saturating_mul(static_cast<uint64_t>(w), static_cast<uint64_t>(h)),
                                        static_cast<uint64_t>(channels));
  check_byte_limit(path, format("the image header ({}x{})", w, h), bytes, max_bytes);
}

Image blank(int w, int h, int c) {
  Image img;
  img.width = w, img.height = h, img.channels = c;
  img.pixels.resize(static_cast<size_t>(w) * h * c);
  return img;
}

// libjpeg reports errors through error_exit, which must not return: it jumps back to decode's
// setjmp with the library's message kept.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  std::longjmp(e->jump, 1);
}

void jpeg_silent(j_common_ptr, int) {}  // warnings (corrupt but decodable data) are not errors

// Progressive JPEGs can hold thousands of scans that each rework the whole image: a few KB that
// take minutes. libjpeg-turbo's advice is to stop past a scan limit; real files have < 20.
void jpeg_scan_limit(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->is_decompressor && d->input_scan_number > 500) {
    auto* e = reinterpret_cast<JpegError*>(cinfo->err);
    std::snprintf(e->message, sizeof e->message, "more than 500 progressive scans");
    std::longjmp(e->jump, 1);
  }
}

// The setjmp frame: only trivially destructible objects live here, as longjmp requires.
// The header's size, when it is beyond the cap: refused before jpeg_start_decompress allocates.
struct JpegSize {
  int64_t w = 0, h = 0;
  int c = 0;
};

bool jpeg_decode_into(std::string_view bytes, jpeg_decompress_struct& cinfo, JpegError& err, Image* out,
                      int64_t max_bytes, JpegSize* refused) {
  jpeg_progress_mgr progress{};
  progress.progress_monitor = jpeg_scan_limit;
  if (setjmp(err.jump)) return false;
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress;
  cinfo.mem->max_memory_to_use = max_bytes;
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.num_components != 1 && cinfo.num_components != 3) {
    std::snprintf(err.message, sizeof err.message, "%d colour components (ddm reads grey and RGB JPEGs)",
                  cinfo.num_components);
    return false;
  }
  cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  const uint64_t need = saturating_mul(saturating_mul(cinfo.image_width, cinfo.image_height), cinfo.num_components);
  if (need == 0 || max_bytes < 0 || need > static_cast<uint64_t>(max_bytes)) {
    *refused = {cinfo.image_width, cinfo.image_height, cinfo.num_components};
    return false;
  }
  jpeg_start_decompress(&cinfo);
  *out = blank(static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height), cinfo.output_components);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out->row(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  return true;
}

}  // namespace

Image decode_png(std::string_view bytes, const std::string& path, int64_t max_bytes) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    fail("cannot decode image {}: {}", path, png.message);
  // The file's own channels, 8 bits each (16-bit files are reduced by libpng).
  png.format &= ~static_cast<png_uint_32>(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLORMAP);
  const int c = static_cast<int>(PNG_IMAGE_SAMPLE_CHANNELS(png.format));
  try {
    check_pixels(path, png.width, png.height, c, max_bytes);
  } catch (...) {
    png_image_free(&png);
    throw;
  }
  Image img = blank(static_cast<int>(png.width), static_cast<int>(png.height), c);
  if (!png_image_finish_read(&png, nullptr, img.pixels.data(), 0, nullptr))
    fail("cannot decode image {}: {}", path, png.message);
  return img;
}

Image decode_jpeg(std::string_view bytes, const std::string& path, int64_t max_bytes) {
  jpeg_decompress_struct cinfo{};
  JpegError err{};
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_error_exit;
  err.mgr.emit_message = jpeg_silent;
  Image img;
  JpegSize refused;
  const bool ok = jpeg_decode_into(bytes, cinfo, err, &img, max_bytes, &refused);
  jpeg_destroy_decompress(&cinfo);
  if (refused.c) check_pixels(path, refused.w, refused.h, refused.c, max_bytes);
  if (!ok) fail("cannot decode image {}: {}", path, err.message);
  return img;
}

Image decode_bmp(std::string_view bytes, const std::string& path, int64_t max_bytes) {
  const auto* in = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int n = static_cast<int>(std::min<size_t>(bytes.size(), INT32_MAX));
  const char* why = "unknown error";
  int w = 0, h = 0, c = 0;
  if (!stbi_info_from_memory(in, n, &w, &h, &c))
    fail("cannot decode image {}: {}", path, stbi_failure_reason() ? stbi_failure_reason() : why);
  check_pixels(path, w, h, c, max_bytes);
  stbi_uc* data = stbi_load_from_memory(in, n, &w, &h, &c, 0);
  if (!data) fail("cannot decode image {}: {}", path, stbi_failure_reason() ? stbi_failure_reason() : why);
  Image img = blank(w, h, c);
  std::copy_n(data, img.pixels.size(), img.pixels.data());
  stbi_image_free(data);
  return img;
}

}  // namespace ddm
