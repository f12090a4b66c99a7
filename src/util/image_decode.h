// Decoding the image files ddm reads: PNG through libpng and JPEG through libjpeg-turbo
// (Debian's, both fuzzed upstream by OSS-Fuzz; stb_image's JPEG decoder in Debian's 2022
// snapshot writes out of bounds on a bad Huffman table, found by fuzz_image), BMP through
// stb_image. Each decodes to the file's own channels; a size the header declares beyond
// `max_bytes` is refused before the pixel buffer is allocated. No torch here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "util/image.h"

namespace ddm {

Image decode_png(std::string_view bytes, const std::string& path, int64_t max_bytes);
Image decode_jpeg(std::string_view bytes, const std::string& path, int64_t max_bytes);
Image decode_bmp(std::string_view bytes, const std::string& path, int64_t max_bytes);

}  // namespace ddm
