// .npy (format versions 1-3) and .npz (zip) reading and writing; see npy.h.
#include "util/npy.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/byte_limit.h"
#include "util/error.h"
#include "util/fs.h"

namespace ddm {
namespace {

struct TypeInfo {
  NpyType type;
  const char* descr;
  size_t size;
};
constexpr TypeInfo kTypes[] = {
    {NpyType::kBool, "|b1", 1}, {NpyType::kU8, "|u1", 1},  {NpyType::kI32, "<i4", 4},
    {NpyType::kI64, "<i8", 8},  {NpyType::kF32, "<f4", 4}, {NpyType::kF64, "<f8", 8},
};

const TypeInfo& info(NpyType t) {
  for (const auto& i : kTypes)
    if (i.type == t) return i;
  throw Error("npy: unknown dtype");
}

// A field that points past the end of the bytes (a corrupt or truncated file): parse_npy and
// read_npz turn it into their one-line error.
struct PastEnd {};

template <class T>
T get_le(const std::string& s, size_t off) {
  if (off > s.size() || s.size() - off < sizeof(T)) throw PastEnd{};
  T v;
  std::memcpy(&v, s.data() + off, sizeof(T));
  return v;
}

template <class T>
void put_le(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

// Value of `'key': <value>` in the header dict, up to the next ',' at depth 0.
std::string header_field(const std::string& h, const std::string& key, const std::string& source) {
  const size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) fail("{}: npy header has no '{}'", source, key);
  size_t p = h.find(':', k);
  if (p == std::string::npos) fail("{}: bad npy header", source);
  ++p;
  while (p < h.size() && h[p] == ' ') ++p;
  int depth = 0;
  size_t e = p;
  for (; e < h.size(); ++e) {
    if (h[e] == '(') ++depth;
    if (h[e] == ')') --depth;
    if ((h[e] == ',' || h[e] == '}') && depth == 0) break;
  }
  return h.substr(p, e - p);
}

}  // namespace

std::string to_string(NpyType t) { return info(t).descr; }

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

size_t NpyArray::item_size() const { return info(dtype).size; }

std::vector<double> NpyArray::to_double() const {
  std::vector<double> out(static_cast<size_t>(numel()));
  const auto copy = [&](const auto* p) {
    std::transform(p, p + out.size(), out.begin(), [](auto v) { return double(v); });
  };
  switch (dtype) {
    case NpyType::kBool:
    case NpyType::kU8:
      copy(data<uint8_t>());
      break;
    case NpyType::kI32:
      copy(data<int32_t>());
      break;
    case NpyType::kI64:
      copy(data<int64_t>());
      break;
    case NpyType::kF32:
      copy(data<float>());
      break;
    case NpyType::kF64:
      copy(data<double>());
      break;
  }
  return out;
}

std::vector<double> NpyArray::to_finite_double(const std::string& what) const {
  std::vector<double> v = to_double();
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) fail("{}: element {} is {}: non-finite values are refused", what, i, v[i]);
  return v;
}

namespace {
NpyArray parse_npy_fields(const std::string& b, const std::string& source) {
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) fail("{}: not an .npy file (bad magic)", source);
  const int major = static_cast<unsigned char>(b[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = get_le<uint16_t>(b, 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) fail("{}: truncated .npy header", source);
    header_len = get_le<uint32_t>(b, 8);
    header_start = 12;
  } else {
    fail("{}: unsupported .npy format version {}", source, major);
  }
  if (header_start + header_len > b.size()) fail("{}: truncated .npy header", source);
  const std::string h = b.substr(header_start, header_len);

  std::string descr = header_field(h, "descr", source);
  if (descr.size() < 2) fail("{}: bad dtype {}", source, descr);
  descr = descr.substr(1, descr.size() - 2);  // strip quotes
  if (descr == "<u1") descr = "|u1";
  if (descr == "<b1") descr = "|b1";
  NpyArray a;
  bool found = false;
  for (const auto& i : kTypes)
    if (descr == i.descr) {
      a.dtype = i.type;
      found = true;
    }
  if (!found)
    fail("{}: unsupported dtype '{}' (supported: bool, uint8, int32, int64, float32, float64, little-endian)", source,
         descr);
  if (header_field(h, "fortran_order", source).find("True") != std::string::npos)
    fail("{}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)", source);
  const std::string shape = header_field(h, "shape", source);
  size_t p = shape.find('(');
  if (p == std::string::npos) fail("{}: bad shape {}", source, shape);
  ++p;
  while (p < shape.size()) {
    while (p < shape.size() && (shape[p] == ' ' || shape[p] == ',')) ++p;
    if (p >= shape.size() || shape[p] == ')') break;
    size_t q = p;
    while (q < shape.size() && std::isdigit(static_cast<unsigned char>(shape[q]))) ++q;
    if (q == p || q - p > 15) fail("{}: bad shape {}", source, shape);  // 15 digits: no overflow below
    a.shape.push_back(std::stoll(shape.substr(p, q - p)));
    p = q;
  }
  const size_t data_start = header_start + header_len, have = b.size() - data_start;
  // The shape's byte count, checked against the bytes present before it can overflow: a reader
  // allocates only what the file delivers.
  size_t need = a.item_size();
  for (const int64_t d : a.shape) {
    if (d != 0 && need > have / static_cast<size_t>(d))
      fail("{}: truncated .npy data: {} bytes, shape {} needs more", source, have, shape);
    need *= static_cast<size_t>(d);
  }
  if (have < need) fail("{}: truncated .npy data: {} bytes, shape needs {}", source, have, need);
  a.bytes.assign(b.begin() + static_cast<std::ptrdiff_t>(data_start),
                 b.begin() + static_cast<std::ptrdiff_t>(data_start + need));
  return a;
}
}  // namespace

NpyArray parse_npy(const std::string& b, const std::string& source) {
  try {
    return parse_npy_fields(b, source);
  } catch (const PastEnd&) {
    fail("{}: truncated or corrupt .npy: a header field points past the end of the file", source);
  }
}

std::string serialize_npy(const NpyArray& a) {
  // numpy writes "(3,)" for 1-D, "(3, 4)" otherwise and "()" for a scalar.
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(a.shape[i]);
  shape += a.shape.size() == 1 ? ",)" : ")";
  std::string dict =
      std::string("{'descr': '") + info(a.dtype).descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary (numpy's own alignment).
  size_t total = 10 + dict.size() + 1;
  const bool v2 = total + 64 > 65535;
  if (v2) total += 2;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  if (v2)
    put_le<uint32_t>(out, static_cast<uint32_t>(dict.size()));
  else
    put_le<uint16_t>(out, static_cast<uint16_t>(dict.size()));
  out += dict;
  out.append(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
  return out;
}

NpyArray read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

void write_npy(const std::string& path, const NpyArray& a) { atomic_write(path, serialize_npy(a)); }

namespace {

// One deflated member, inflated in pieces (zlib counts in 32 bits) into exactly the `usize`
// bytes its directory entry declares (already checked against the cap and deflate's ratio).
std::string inflate_member(std::string_view in, uint64_t usize, const std::string& path, const std::string& name) {
  std::string out(usize, '\0');
  z_stream s{};
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK) fail("{}: cannot inflate zip entry {}", path, name);
  constexpr size_t kPiece = size_t{1} << 30;
  size_t in_at = 0, out_at = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (s.avail_in == 0 && in_at < in.size()) {
      s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_at));
      s.avail_in = static_cast<uInt>(std::min(kPiece, in.size() - in_at));
      in_at += s.avail_in;
    }
    if (s.avail_out == 0 && out_at < out.size()) {
      s.next_out = reinterpret_cast<Bytef*>(out.data() + out_at);
      s.avail_out = static_cast<uInt>(std::min(kPiece, out.size() - out_at));
      out_at += s.avail_out;
    }
    rc = inflate(&s, in_at == in.size() ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR && (s.avail_in == 0 && in_at < in.size())) rc = Z_OK;  // more input to give
  }
  const bool complete = rc == Z_STREAM_END && s.total_out == usize;
  inflateEnd(&s);
  if (!complete)
    fail("{}: cannot inflate zip entry {} (corrupt, or not the {} bytes its directory declares)", path, name, usize);
  return out;
}

std::map<std::string, NpyArray> read_npz_fields(const std::string& z, const std::string& path, int64_t max_bytes) {
  // End of central directory: scan back over a possible comment.
  if (z.size() < 22) fail("{}: not an .npz (zip) file", path);
  size_t eocd = std::string::npos;
  for (size_t i = z.size() - 22 + 1; i-- > 0 && z.size() - i <= 22 + 65535;) {
    if (get_le<uint32_t>(z, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) fail("{}: not an .npz (zip) file, or truncated", path);
  uint64_t entries = get_le<uint16_t>(z, eocd + 10);
  uint64_t cd_offset = get_le<uint32_t>(z, eocd + 16);
  if ((entries == 0xFFFF || cd_offset == 0xFFFFFFFF) && eocd >= 20 && get_le<uint32_t>(z, eocd - 20) == 0x07064b50) {
    const uint64_t z64 = get_le<uint64_t>(z, eocd - 20 + 8);
    if (z64 + 56 > z.size() || get_le<uint32_t>(z, z64) != 0x06064b50) fail("{}: bad zip64 directory", path);
    entries = get_le<uint64_t>(z, z64 + 32);
    cd_offset = get_le<uint64_t>(z, z64 + 48);
  }
  std::map<std::string, NpyArray> out;
  size_t p = cd_offset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (p + 46 > z.size() || get_le<uint32_t>(z, p) != 0x02014b50) fail("{}: corrupt zip directory", path);
    const uint16_t method = get_le<uint16_t>(z, p + 10);
    const uint32_t crc = get_le<uint32_t>(z, p + 16);
    uint64_t csize = get_le<uint32_t>(z, p + 20);
    uint64_t usize = get_le<uint32_t>(z, p + 24);
    const uint16_t name_len = get_le<uint16_t>(z, p + 28), extra_len = get_le<uint16_t>(z, p + 30),
                   comment_len = get_le<uint16_t>(z, p + 32);
    uint64_t local = get_le<uint32_t>(z, p + 42);
    if (p + 46 + name_len + extra_len > z.size()) fail("{}: corrupt zip directory", path);
    std::string name = z.substr(p + 46, name_len);
    // Zip64 extra field: only the fields saturated at 0xFFFFFFFF are present, in this order.
    for (size_t x = p + 46 + name_len; x + 4 <= p + 46 + name_len + extra_len;) {
      const uint16_t id = get_le<uint16_t>(z, x), len = get_le<uint16_t>(z, x + 2);
      if (id == 0x0001) {
        size_t q = x + 4;
        if (usize == 0xFFFFFFFF) {
          usize = get_le<uint64_t>(z, q);
          q += 8;
        }
        if (csize == 0xFFFFFFFF) {
          csize = get_le<uint64_t>(z, q);
          q += 8;
        }
        if (local == 0xFFFFFFFF) {
          local = get_le<uint64_t>(z, q);
          q += 8;
        }
      }
      x += 4 + len;
    }
    p += 46 + name_len + extra_len + comment_len;
    if (local + 30 > z.size() || get_le<uint32_t>(z, local) != 0x04034b50) fail("{}: corrupt zip entry {}", path, name);
    const size_t data = local + 30 + get_le<uint16_t>(z, local + 26) + get_le<uint16_t>(z, local + 28);
    if (data > z.size() || csize > z.size() - data) fail("{}: truncated zip entry {}", path, name);
    // Deflate expands at most about 1032:1: a larger claim is corrupt, and is refused before any
    // allocation (a reader allocates only what the file's bytes can deliver).
    if (method == 8 && usize > csize * 1032 + 1024)
      fail("{}: zip entry {} claims {} bytes from {} compressed bytes, more than deflate can produce (corrupt file)",
           path, name, usize, csize);
    check_byte_limit(path, format("zip entry {}", name), usize, max_bytes);
    std::string bytes;
    if (method == 0) {
      bytes = z.substr(data, csize);
    } else if (method == 8) {
      bytes = inflate_member(std::string_view(z).substr(data, csize), usize, path, name);
    } else {
      fail("{}: zip entry {} uses unsupported compression method {}", path, name, method);
    }
    if (crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()) != crc)
      fail("{}: CRC mismatch in zip entry {} (corrupt file)", path, name);
    if (name.size() > 4 && name.substr(name.size() - 4) == ".npy") name.resize(name.size() - 4);
    out[name] = parse_npy(bytes, path + ":" + name);
  }
  return out;
}
}  // namespace

std::map<std::string, NpyArray> read_npz(const std::string& path, int64_t max_bytes) {
  try {
    return read_npz_fields(read_file(path), path, max_bytes);
  } catch (const PastEnd&) {
    fail("{}: truncated or corrupt .npz: a zip field points past the end of the file", path);
  }
}

void write_npz(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& arrays) {
  std::string z, cd;
  for (const auto& [key, arr] : arrays) {
    const std::string name = key + ".npy";
    const std::string data = serialize_npy(arr);
    if (data.size() >= 0xFFFFFFFFull || z.size() >= 0xFFFFFFFFull) fail("{}: arrays over 4 GB are not supported", path);
    const uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    const uint32_t offset = static_cast<uint32_t>(z.size());
    auto common = [&](std::string& s) {
      put_le<uint16_t>(s, 20);    // version needed
      put_le<uint16_t>(s, 0);     // flags
      put_le<uint16_t>(s, 0);     // stored
      put_le<uint16_t>(s, 0);     // time
      put_le<uint16_t>(s, 0x21);  // date: 1980-01-01
      put_le<uint32_t>(s, crc);
      put_le<uint32_t>(s, static_cast<uint32_t>(data.size()));
      put_le<uint32_t>(s, static_cast<uint32_t>(data.size()));
      put_le<uint16_t>(s, static_cast<uint16_t>(name.size()));
      put_le<uint16_t>(s, 0);  // extra
    };
    put_le<uint32_t>(z, 0x04034b50);
    common(z);
    z += name;
    z += data;
    put_le<uint32_t>(cd, 0x02014b50);
    put_le<uint16_t>(cd, 20);  // version made by
    common(cd);
    put_le<uint16_t>(cd, 0);  // comment
    put_le<uint16_t>(cd, 0);  // disk
    put_le<uint16_t>(cd, 0);  // internal attributes
    put_le<uint32_t>(cd, 0);  // external attributes
    put_le<uint32_t>(cd, offset);
    cd += name;
  }
  const uint32_t cd_offset = static_cast<uint32_t>(z.size());
  z += cd;
  put_le<uint32_t>(z, 0x06054b50);
  put_le<uint16_t>(z, 0);
  put_le<uint16_t>(z, 0);
  put_le<uint16_t>(z, static_cast<uint16_t>(arrays.size()));
  put_le<uint16_t>(z, static_cast<uint16_t>(arrays.size()));
  put_le<uint32_t>(z, static_cast<uint32_t>(cd.size()));
  put_le<uint32_t>(z, cd_offset);
  put_le<uint16_t>(z, 0);
  atomic_write(path, z);
}

}  // namespace ddm
