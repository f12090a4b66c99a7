// Regression tests for what scripts/fuzz.sh found: each input under
// tests/fixtures/fuzz/ once crashed a reader or made it allocate what the file could not deliver;
// now each is refused with one line naming the file.
#include <gtest/gtest.h>

#include "config/config.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/image.h"
#include "util/json.h"
#include "util/npy.h"

namespace ddm {
namespace {

std::string fixture(const std::string& name) { return std::string(DDM_SOURCE_DIR) + "/tests/fixtures/fuzz/" + name; }

void expect_refused(const std::function<void()>& read, const std::string& needle) {
  const std::string e = test::error_of(read);
  EXPECT_NE(e.find(needle), std::string::npos) << e;
  EXPECT_EQ(test::count_lines(e), 1) << e;
}

// nlohmann-json threw out_of_range (not parse_error) for 54e554, which escaped as a crash.
TEST(FuzzFindings, JsonNumberBeyondDoubleRange) {
  const std::string path = fixture("json-number-overflow.json");
  expect_refused([&] { read_json(path); }, "json-number-overflow.json: invalid JSON: number overflow");
}

// A shape entry beyond int64 made std::stoll throw out_of_range.
TEST(FuzzFindings, NpyDimensionBeyondInt64) {
  const std::string path = fixture("npy-huge-dimension.npy");
  expect_refused([&] { parse_npy(read_file(path), path); }, "npy-huge-dimension.npy: bad shape");
  // Dimensions whose product overflows: refused before any allocation, not wrapped around.
  NpyArray a = NpyArray::from(NpyType::kU8, {2}, "ab");
  std::string bytes = serialize_npy(a);
  const size_t at = bytes.find("(2,)");
  bytes.replace(at, 4, "(999999999999999, 999999999999999)");
  expect_refused([&] { parse_npy(bytes, "big.npy"); }, "big.npy: truncated .npy data");
}

// A deflated member claiming 1 GiB from a few bytes made read_npz allocate it.
TEST(FuzzFindings, NpzMemberClaimingMoreThanDeflateCanProduce) {
  expect_refused([&] { read_npz(fixture("npz-inflated-size.npz")); }, "more than deflate can produce");
}

// A zip field pointing past the end of the file was read out of bounds (UBSan: pointer overflow).
TEST(FuzzFindings, NpzFieldPastTheEnd) {
  expect_refused([&] { read_npz(fixture("npz-offset-past-end.npz")); }, "npz-offset-past-end.npz: ");
}

// An integer field given 6.7e15 in YAML was converted to int out of range (UBSan).
TEST(FuzzFindings, ConfigIntegerOutOfRange) {
  expect_refused([&] { load_config(fixture("config-int-out-of-range.yaml")); }, "config-int-out-of-range.yaml");
  expect_refused([&] { load_config("", {"shards.k=6679214017356322"}); },
                 "expected an integer, got '6679214017356322'");
}

// A 6x5 PNG whose IDAT length was mutated to 0x4000001a: stb_image grew its buffer to 1 GiB
// before reading the chunk. PNGs are decoded by libpng now, which reads chunks as they come.
TEST(FuzzFindings, PngChunkClaimingMoreThanTheFile) {
  const std::string path = fixture("png-idat-claims-1gib.png");
  expect_refused([&] { read_image(path); }, "cannot decode image " + path + ": read beyond end of data");
}

// A BMP declaring 0 x 5 pixels: stb_image decoded it, and the centre crop divided by the zero
// width and converted NaN to int (UBSan). Images without pixels are refused by name now.
TEST(FuzzFindings, BmpWithZeroWidth) {
  const std::string path = fixture("bmp-zero-width.bmp");
  expect_refused([&] { read_image(path); }, "bmp-zero-width.bmp: the image header declares 0x5 pixels");
}

// A JPEG whose Huffman table counts more than 256 codes: Debian's stb_image (2022 snapshot) wrote
// past its 257-entry size table (UBSan, in the instrumented decoder). JPEGs are decoded by
// libjpeg-turbo now, which refuses the table.
TEST(FuzzFindings, JpegHuffmanTableOverflow) {
  const std::string path = fixture("jpeg-huffman-overflow.jpg");
  expect_refused([&] { read_image(path); }, "cannot decode image " + path + ": ");
}

}  // namespace
}  // namespace ddm
