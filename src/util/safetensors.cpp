// safetensors reading (strict: every byte of the file accounted for) and writing; see safetensors.h.
// Own code: the format is an 8-byte length, a JSON header and raw bytes, and nlohmann-json does the rest.
#include "util/safetensors.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "util/error.h"
#include "util/format.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm {
namespace {

constexpr uint64_t kMaxHeader = 100'000'000;  // the Python library's own limit
constexpr const char* kMetadataKey = "__metadata__";

struct TypeInfo {
  SafeDType type;
  const char* name;
  size_t size;
};
constexpr TypeInfo kTypes[] = {
    {SafeDType::kF64, "F64", 8},   {SafeDType::kF32, "F32", 4}, {SafeDType::kF16, "F16", 2},
    {SafeDType::kBF16, "BF16", 2}, {SafeDType::kI64, "I64", 8}, {SafeDType::kI32, "I32", 4},
    {SafeDType::kI16, "I16", 2},   {SafeDType::kI8, "I8", 1},   {SafeDType::kU8, "U8", 1},
    {SafeDType::kBool, "BOOL", 1},
};

const TypeInfo& info(SafeDType t) {
  for (const auto& i : kTypes)
    if (i.type == t) return i;
  throw Error("safetensors: unknown dtype");
}

std::string valid_dtypes() {
  std::string s;
  for (const auto& i : kTypes) s += std::string(s.empty() ? "" : ", ") + i.name;
  return s;
}

// A tensor name or JSON value for an error message: escaped (so one line) and cut short.
std::string brief(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}
std::string quoted(const std::string& name) { return brief(Json(name)); }

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  size_t i = 0;
  for (; i < shape.size() && s.size() < 80; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (i < shape.size() ? ", ...]" : "]");
}

// A non-negative JSON integer (nlohmann parses those as unsigned; built ones may be signed).
bool as_uint(const Json& v, uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    out = static_cast<uint64_t>(v.get<int64_t>());
    return true;
  }
  return false;
}

// numel * element size, or false when it does not fit in 64 bits (any zero dimension gives 0).
bool byte_size(const std::vector<int64_t>& shape, size_t elem, uint64_t& out) {
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {
    out = 0;
    return true;
  }
  uint64_t n = elem;
  for (const auto d : shape)
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) return false;
  out = n;
  return true;
}

uint64_t get_u64_le(const std::string& b) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[static_cast<size_t>(i)]);
  return v;
}

std::string u64_le(uint64_t v) {
  std::string s(8, '\0');
  for (size_t i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// One header entry, checked on its own; `bytes` is filled once the whole layout is known good.
struct Entry {
  std::string name;
  SafeTensor tensor;
  uint64_t begin = 0, end = 0;
};

const Json& field(const Json& e, const char* key, const std::string& source, const std::string& name) {
  if (!e.is_object()) fail("{}: tensor {}: entry {} is not an object", source, quoted(name), brief(e));
  const auto it = e.find(key);
  if (it == e.end()) fail("{}: tensor {}: no \"{}\" in its header entry", source, quoted(name), key);
  return *it;
}

SafeDType parse_dtype(const Json& v, const std::string& source, const std::string& name) {
  if (v.is_string())
    for (const auto& i : kTypes)
      if (v.get<std::string>() == i.name) return i.type;
  fail("{}: tensor {}: unknown dtype {} (valid: {})", source, quoted(name), brief(v), valid_dtypes());
}

std::vector<int64_t> parse_shape(const Json& v, const std::string& source, const std::string& name) {
  std::vector<int64_t> shape;
  bool ok = v.is_array();
  for (size_t i = 0; ok && i < v.size(); ++i) {
    uint64_t d = 0;
    ok = as_uint(v[i], d) && d <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    shape.push_back(static_cast<int64_t>(d));
  }
  if (!ok) fail("{}: tensor {}: shape {} is not a list of non-negative integers", source, quoted(name), brief(v));
  return shape;
}

Entry parse_entry(const std::string& name, const Json& e, uint64_t data_size, const std::string& source) {
  Entry out;
  out.name = name;
  out.tensor.dtype = parse_dtype(field(e, "dtype", source, name), source, name);
  out.tensor.shape = parse_shape(field(e, "shape", source, name), source, name);
  const Json& off = field(e, "data_offsets", source, name);
  if (!off.is_array() || off.size() != 2 || !as_uint(off[0], out.begin) || !as_uint(off[1], out.end) ||
      out.begin > out.end)
    fail("{}: tensor {}: data_offsets {} are not two integers [begin, end] with begin <= end", source, quoted(name),
         brief(off));
  if (out.end > data_size)
    fail("{}: truncated: the file has {} bytes of data but tensor {} needs up to {}", source, data_size, quoted(name),
         out.end);
  uint64_t need = 0;
  if (!byte_size(out.tensor.shape, element_size(out.tensor.dtype), need))
    fail("{}: tensor {}: shape {} is too large", source, quoted(name), shape_string(out.tensor.shape));
  if (out.end - out.begin != need)
    fail("{}: tensor {}: data_offsets [{}, {}] hold {} bytes but {} shape {} needs {}", source, quoted(name), out.begin,
         out.end, out.end - out.begin, to_string(out.tensor.dtype), shape_string(out.tensor.shape), need);
  return out;
}

std::map<std::string, std::string> parse_metadata(const Json& v, const std::string& source) {
  if (!v.is_object()) fail("{}: {} is {}, not an object of strings", source, kMetadataKey, brief(v));
  std::map<std::string, std::string> out;
  for (const auto& [k, s] : v.items()) {
    if (!s.is_string()) fail("{}: {} key {} is {}, not a string", source, kMetadataKey, quoted(k), brief(s));
    out[k] = s.get<std::string>();
  }
  return out;
}

// Sorted by offset, the tensors must tile the data buffer exactly: no overlap, no gap, no tail.
void check_tiling(std::vector<Entry>& entries, uint64_t data_size, const std::string& source) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t at = 0;
  const Entry* prev = nullptr;
  for (const auto& e : entries) {
    if (e.begin < at)
      fail("{}: tensors {} and {} overlap (bytes [{}, {}) and [{}, {}) of the data)", source, quoted(prev->name),
           quoted(e.name), prev->begin, prev->end, e.begin, e.end);
    if (e.begin > at)
      fail("{}: gap in the data: bytes [{}, {}) before tensor {} belong to no tensor", source, at, e.begin,
           quoted(e.name));
    at = e.end;
    prev = &e;
  }
  if (at != data_size) {
    if (!prev) fail("{}: {} bytes of data but the header lists no tensors", source, data_size);
    fail("{}: {} bytes of data after the last tensor {} (tensors end at byte {} of {})", source, data_size - at,
         quoted(prev->name), at, data_size);
  }
}

// The 8-byte length and the padded header of `st` (checked first: shapes against byte sizes).
std::string header_bytes(const SafeTensors& st, const std::string& source) {
  Json header = Json::object();
  if (!st.metadata.empty()) header[kMetadataKey] = st.metadata;
  uint64_t at = 0;
  for (const auto& [name, t] : st.tensors) {
    require(name != kMetadataKey, "{}: a tensor cannot be named {}", source, kMetadataKey);
    require(!header.contains(name), "{}: tensor {} appears twice", source, quoted(name));
    uint64_t need = 0;
    require(byte_size(t.shape, element_size(t.dtype), need) && need == t.bytes.size(),
            "{}: tensor {}: {} bytes, but {} shape {} needs {}", source, quoted(name), t.bytes.size(),
            to_string(t.dtype), shape_string(t.shape), need);
    header[name] = {{"dtype", to_string(t.dtype)}, {"shape", t.shape}, {"data_offsets", {at, at + need}}};
    at += need;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& e) {
    fail("{}: {}", source, json_error(e));  // a name or metadata string that is not UTF-8
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts on an 8-byte boundary
  return u64_le(text.size()) + text;
}

}  // namespace

size_t element_size(SafeDType t) { return info(t).size; }
std::string to_string(SafeDType t) { return info(t).name; }

int64_t SafeTensor::numel() const {
  int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

const SafeTensor* SafeTensors::find(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return &t;
  return nullptr;
}

SafeTensors parse_safetensors(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 8)
    fail("{}: not a safetensors file: {} bytes, shorter than the 8-byte header length", source, bytes.size());
  const uint64_t n = get_u64_le(bytes);
  if (n > kMaxHeader) fail("{}: safetensors header length {} exceeds the limit of {} bytes", source, n, kMaxHeader);
  if (n > bytes.size() - 8)
    fail("{}: safetensors header length {} is beyond the end of the file ({} bytes)", source, n, bytes.size());
  const Json header = parse_json(std::string_view(bytes).substr(8, n), source);
  if (!header.is_object()) fail("{}: safetensors header is {}, not a JSON object", source, brief(header));
  const uint64_t data_start = 8 + n, data_size = bytes.size() - data_start;
  SafeTensors st;
  std::vector<Entry> entries;
  for (const auto& [name, e] : header.items()) {
    if (name == kMetadataKey)
      st.metadata = parse_metadata(e, source);
    else
      entries.push_back(parse_entry(name, e, data_size, source));
  }
  check_tiling(entries, data_size, source);
  for (auto& e : entries) {  // sizes are all checked against the file: copying is safe now
    e.tensor.bytes.assign(bytes, data_start + e.begin, e.end - e.begin);
    st.tensors.emplace_back(std::move(e.name), std::move(e.tensor));
  }
  return st;
}

SafeTensors read_safetensors(const std::string& path) { return parse_safetensors(read_file(path), path); }

std::string serialize_safetensors(const SafeTensors& st) {
  std::string out = header_bytes(st, "safetensors");
  for (const auto& [name, t] : st.tensors) out += t.bytes;
  return out;
}

void write_safetensors(const std::string& path, const SafeTensors& st) {
  const std::string head = header_bytes(st, path);  // checked before the file is touched
  atomic_write_with(path, [&](std::FILE* f) {
    bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size();
    for (const auto& [name, t] : st.tensors)
      ok = ok && std::fwrite(t.bytes.data(), 1, t.bytes.size(), f) == t.bytes.size();
    if (!ok) fail("cannot write {}: {}", path, std::strerror(errno));
  });
}

}  // namespace ddm
