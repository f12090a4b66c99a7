// IDX reader (see idx.h). zlib's gzread also reads uncompressed files, so one path serves both.
#include "data/idx.h"

#include <zlib.h>

#include <cstring>

#include "util/error.h"
#include "util/fs.h"

namespace ddm {
namespace {

struct IdxFile {
  int type = 0;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

IdxFile read_idx_file(const std::string& path, int expected_ndim) {
  if (!path_exists(path)) fail("missing IDX file {}", path);
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail("cannot open {}", path);
  auto read = [&](void* dst, size_t n) -> size_t {
    const int got = gzread(f, dst, static_cast<unsigned>(n));
    return got < 0 ? 0 : static_cast<size_t>(got);
  };
  unsigned char magic[4];
  if (read(magic, 4) != 4) { gzclose(f); fail("{}: truncated IDX header", path); }
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != expected_ndim) {
    gzclose(f);
    fail("{}: wrong IDX magic number 0x{:02x}{:02x}{:02x}{:02x} (expected 0x000008{:02x}: uint8, {} dimensions)", path,
         magic[0], magic[1], magic[2], magic[3], expected_ndim, expected_ndim);
  }
  IdxFile idx;
  idx.type = magic[2];
  int64_t count = 1;
  for (int d = 0; d < expected_ndim; ++d) {
    unsigned char b[4];
    if (read(b, 4) != 4) { gzclose(f); fail("{}: truncated IDX header", path); }
    const int64_t dim = (int64_t(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    if (dim <= 0 || dim > (1 << 28)) { gzclose(f); fail("{}: bad IDX dimension {} = {}", path, d, dim); }
    idx.dims.push_back(dim);
    count *= dim;
  }
  idx.data.resize(static_cast<size_t>(count));
  const size_t got = read(idx.data.data(), idx.data.size());
  unsigned char extra;
  const bool trailing = read(&extra, 1) == 1;
  int err = 0;
  const char* msg = gzerror(f, &err);
  gzclose(f);
  if (err != Z_OK && err != Z_STREAM_END) fail("{}: corrupt gzip data: {}", path, msg);
  if (got != idx.data.size())
    fail("{}: truncated: header says {} values, file holds {}", path, idx.data.size(), got);
  if (trailing) fail("{}: sizes in the header do not match the file ({} values expected, more found)", path, idx.data.size());
  return idx;
}

}  // namespace

std::string find_idx_file(const std::string& dir, const std::string& stem) {
  const std::string plain = path_join(dir, stem);
  if (path_exists(plain)) return plain;
  if (path_exists(plain + ".gz")) return plain + ".gz";
  fail("missing IDX file {} (or {}.gz)", plain, plain);
}

RawData read_idx(const std::string& images_path, const std::string& labels_path) {
  IdxFile images = read_idx_file(images_path, 3);
  RawData raw;
  raw.n = images.dims[0];
  raw.sample_shape = {1, images.dims[1], images.dims[2]};
  raw.pixels = std::move(images.data);
  if (!labels_path.empty()) {
    const IdxFile labels = read_idx_file(labels_path, 1);
    if (labels.dims[0] != raw.n)
      fail("{}: {} labels for {} images in {}", labels_path, labels.dims[0], raw.n, images_path);
    raw.labels.assign(labels.data.begin(), labels.data.end());
  }
  return raw;
}

}  // namespace ddm
