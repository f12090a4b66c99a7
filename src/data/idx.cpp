// IDX reader (see idx.h). zlib's gzread also reads uncompressed files, so one path serves both.
#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "util/byte_limit.h"
#include "util/error.h"
#include "util/fs.h"

namespace ddm {
namespace {

struct IdxFile {
  int type = 0;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// zlib's gzFile, closed on every path out (errors throw).
struct GzCloser {
  gzFile f;
  ~GzCloser() { gzclose(f); }
};

size_t gz_read(gzFile f, void* dst, size_t n) {
  const int got = gzread(f, dst, static_cast<unsigned>(n));
  return got < 0 ? 0 : static_cast<size_t>(got);
}

// The header: magic (uint8 data, `ndim` dimensions) and big-endian int32 sizes.
IdxFile read_idx_header(gzFile f, const std::string& path, int ndim) {
  unsigned char magic[4];
  if (gz_read(f, magic, 4) != 4) fail("{}: truncated IDX header", path);
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != ndim)
    fail("{}: wrong IDX magic number 0x{:02x}{:02x}{:02x}{:02x} (expected 0x000008{:02x}: uint8, {} dimensions)", path,
         magic[0], magic[1], magic[2], magic[3], ndim, ndim);
  IdxFile idx;
  idx.type = magic[2];
  for (int d = 0; d < ndim; ++d) {
    unsigned char b[4];
    if (gz_read(f, b, 4) != 4) fail("{}: truncated IDX header", path);
    const int64_t dim = (int64_t(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    if (dim <= 0 || dim > (1 << 28)) fail("{}: bad IDX dimension {} = {}", path, d, dim);
    idx.dims.push_back(dim);
  }
  return idx;
}

// The values, in chunks: the buffer grows only as the stream delivers bytes, so a gzip file
// whose header claims more than it holds never allocates the claim.
IdxFile read_idx_file(const std::string& path, int ndim, int64_t max_bytes) {
  if (!path_exists(path)) fail("missing IDX file {}", path);
  GzCloser gz{gzopen(path.c_str(), "rb")};
  if (!gz.f) fail("cannot open {}", path);
  IdxFile idx = read_idx_header(gz.f, path, ndim);
  uint64_t count = 1;
  for (const int64_t d : idx.dims) count = saturating_mul(count, static_cast<uint64_t>(d));
  const uint64_t header = 4 + 4 * static_cast<uint64_t>(ndim);
  check_byte_limit(path, "the IDX header", count, max_bytes);
  if (gzdirect(gz.f)) {  // not gzip: the file's size is known before anything is allocated
    const uint64_t held = static_cast<uint64_t>(file_size(path)) - header;
    if (held < count) fail("{}: truncated: header says {} values, file holds {}", path, count, held);
    if (held > count)
      fail("{}: sizes in the header do not match the file ({} values expected, more found)", path, count);
  }
  constexpr size_t kChunk = size_t{1} << 22;
  size_t got = 0;
  while (got < count) {
    const size_t want = std::min<size_t>(kChunk, count - got);
    idx.data.resize(got + want);
    const size_t n = gz_read(gz.f, idx.data.data() + got, want);
    got += n;
    if (n < want) break;
  }
  unsigned char extra;
  const bool trailing = got == count && gz_read(gz.f, &extra, 1) == 1;
  int err = 0;
  const char* msg = gzerror(gz.f, &err);
  if (err != Z_OK && err != Z_STREAM_END) fail("{}: corrupt gzip data: {}", path, msg);
  if (got != count) fail("{}: truncated: header says {} values, file holds {}", path, count, got);
  if (trailing) fail("{}: sizes in the header do not match the file ({} values expected, more found)", path, count);
  return idx;
}

}  // namespace

std::string find_idx_file(const std::string& dir, const std::string& stem) {
  const std::string plain = path_join(dir, stem);
  if (path_exists(plain)) return plain;
  if (path_exists(plain + ".gz")) return plain + ".gz";
  fail("missing IDX file {} (or {}.gz)", plain, plain);
}

RawData read_idx(const std::string& images_path, const std::string& labels_path, int64_t max_bytes) {
  IdxFile images = read_idx_file(images_path, 3, max_bytes);
  RawData raw;
  raw.n = images.dims[0];
  raw.sample_shape = {1, images.dims[1], images.dims[2]};
  raw.pixels = std::move(images.data);
  if (!labels_path.empty()) {
    const IdxFile labels = read_idx_file(labels_path, 1, max_bytes);
    if (labels.dims[0] != raw.n)
      fail("{}: {} labels for {} images in {}", labels_path, labels.dims[0], raw.n, images_path);
    raw.labels.assign(labels.data.begin(), labels.data.end());
  }
  return raw;
}

}  // namespace ddm
