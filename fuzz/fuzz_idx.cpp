// libFuzzer target: the IDX reader, plain and gzipped. The first byte picks how the rest reaches
// the reader: 0 plain images, 1 images gzipped here (so mutations land inside a valid stream),
// 2 a labels file beside a valid images file, 3 the bytes as a .gz file as they are.
#include <zlib.h>

#include <vector>

#include "data/idx.h"
#include "fuzz_target.h"

namespace {

std::vector<uint8_t> gzipped(const uint8_t* data, size_t size) {
  std::vector<uint8_t> out;
  z_stream s{};
  deflateInit2(&s, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip wrapper
  out.resize(deflateBound(&s, size) + 32);
  s.next_in = const_cast<Bytef*>(data);
  s.avail_in = static_cast<uInt>(size);
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] % 4;
  const std::vector<uint8_t> gz = mode == 1 ? gzipped(data + 1, size - 1) : std::vector<uint8_t>();
  const uint8_t* body = mode == 1 ? gz.data() : data + 1;
  const size_t n = mode == 1 ? gz.size() : size - 1;
  const std::string path = ddm::fuzz::as_file(body, n, mode == 0 ? ".idx" : mode == 2 ? ".lbl" : ".gz");
  // A lowered cap, so that what the cap lets through stays within libFuzzer's malloc limit.
  constexpr int64_t kCap = int64_t{64} << 20;
  if (mode == 2) {
    static const uint8_t images[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7, 9};  // 2 images of 1x1
    const std::string images_path = ddm::fuzz::as_file(images, sizeof images, ".images");
    return ddm::fuzz::run([&] { ddm::read_idx(images_path, path, kCap); });
  }
  return ddm::fuzz::run([&] { ddm::read_idx(path, "", kCap); });
}
