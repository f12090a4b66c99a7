// Checkpoint file format and run-folder rotation (see checkpoint.h).
#include "models/checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "util/byte_limit.h"
#include "util/error.h"
#include "util/fs.h"

namespace ddm {
namespace {

constexpr char kMagic[8] = {'D', 'D', 'M', 'C', 'K', 'P', 'T', '1'};
constexpr size_t kAlign = 64;

struct DtypeName {
  torch::Dtype dtype;
  const char* name;
};
constexpr DtypeName kDtypes[] = {{torch::kFloat32, "float32"}, {torch::kFloat64, "float64"},
                                 {torch::kFloat16, "float16"}, {torch::kBFloat16, "bfloat16"},
                                 {torch::kInt64, "int64"},     {torch::kInt32, "int32"},
                                 {torch::kUInt8, "uint8"},     {torch::kBool, "bool"}};

const char* dtype_name(torch::Dtype d) {
  for (const auto& e : kDtypes)
    if (e.dtype == d) return e.name;
  fail("checkpoint: unsupported tensor type {}", c10::toString(d));
}
torch::Dtype dtype_from(const std::string& name, const std::string& file) {
  for (const auto& e : kDtypes)
    if (name == e.name) return e.dtype;
  fail("{}: corrupted checkpoint (unknown tensor type '{}')", file, name);
}
size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

uint64_t read_u64(const std::string& b, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}

// Validates magic, length and CRC; returns the parsed header and where the data starts.
std::pair<Json, size_t> parse_header(const std::string& bytes, const std::string& path) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    fail("{}: not a ddm checkpoint (bad magic bytes)", path);
  if (bytes.size() < 20) fail("{}: truncated checkpoint ({} bytes)", path, bytes.size());
  const uint64_t header_len = read_u64(bytes, 8);
  if (header_len > bytes.size() - 20)
    fail("{}: truncated checkpoint (header of {} bytes, file of {})", path, header_len, bytes.size());
  Json header;
  try {
    header = parse_json(bytes.substr(16, header_len), path);
  } catch (const Error& e) {
    fail("{}: corrupted checkpoint header", path);
  }
  const size_t data_start = align_up(16 + header_len);
  int64_t data_bytes = -1;
  try {
    data_bytes = json_int(header.at("data_bytes"));
  } catch (const std::exception&) {  // missing, or not an integer: refused below
  }
  // Non-negative int64, so the sum below cannot wrap: a claim beyond the file is "truncated".
  if (data_bytes < 0) fail("{}: corrupted checkpoint header (no valid data_bytes)", path);
  const uint64_t data_len = static_cast<uint64_t>(data_bytes);
  const uint64_t expected = data_start + data_len + 4;
  if (bytes.size() < expected)
    fail("{}: truncated checkpoint (expected {} bytes, found {})", path, expected, bytes.size());
  if (bytes.size() > expected)
    fail("{}: corrupted checkpoint ({} unexpected trailing bytes)", path, bytes.size() - expected);
  uint32_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(0));
  uLong c = crc;
  // zlib's crc32 takes uInt lengths: feed large files in chunks.
  for (size_t at = 0; at < bytes.size() - 4;) {
    const size_t n = std::min<size_t>(bytes.size() - 4 - at, 1u << 30);
    c = crc32(c, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(n));
    at += n;
  }
  if (static_cast<uint32_t>(c) != stored) fail("{}: corrupted checkpoint (CRC mismatch)", path);
  return {std::move(header), data_start};
}

}  // namespace

void Checkpoint::put(const std::string& name, const torch::Tensor& t) {
  for (auto& [n, v] : tensors)
    if (n == name) {
      v = t;
      return;
    }
  tensors.emplace_back(name, t);
}

bool Checkpoint::has(const std::string& name) const {
  return std::any_of(tensors.begin(), tensors.end(), [&](const auto& e) { return e.first == name; });
}

const torch::Tensor& Checkpoint::get(const std::string& name) const {
  for (const auto& [n, v] : tensors)
    if (n == name) return v;
  fail("{}: checkpoint has no tensor '{}'", source.empty() ? "checkpoint" : source, name);
}

void Checkpoint::put_module(const std::string& prefix, const torch::nn::Module& m) {
  for (const auto& p : m.named_parameters()) put(prefix + p.key(), p.value().detach());
  for (const auto& b : m.named_buffers()) put(prefix + b.key(), b.value().detach());
}

void Checkpoint::load_module(const std::string& prefix, torch::nn::Module& m) const {
  const std::string file = source.empty() ? "checkpoint" : source;
  torch::NoGradGuard no_grad;
  size_t expected = 0;
  auto copy_in = [&](const std::string& name, torch::Tensor& dst) {
    ++expected;
    if (!has(prefix + name)) fail("{}: no weights for '{}' (a checkpoint of a different architecture?)", file, name);
    const torch::Tensor& src = get(prefix + name);
    if (src.sizes() != dst.sizes())
      fail("{}: '{}' has shape {} in the checkpoint but {} in this model (different model settings or image shape?)",
           file, name, src.sizes(), dst.sizes());
    dst.copy_(src);
  };
  for (auto& p : m.named_parameters()) copy_in(p.key(), p.value());
  for (auto& b : m.named_buffers()) copy_in(b.key(), b.value());
  size_t stored = 0;
  for (const auto& [n, v] : tensors)
    if (n.rfind(prefix, 0) == 0) ++stored;
  if (stored != expected)
    fail("{}: the checkpoint has {} tensors under '{}' but the model has {} (a different architecture)", file, stored,
         prefix, expected);
}

void save_checkpoint(const std::string& path, const Checkpoint& ckpt) {
  std::vector<torch::Tensor> cpu;
  Json table = Json::array();
  size_t offset = 0;
  for (const auto& [name, t] : ckpt.tensors) {
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    Json e = Json::object();
    e["name"] = name;
    e["dtype"] = dtype_name(c.scalar_type());
    e["shape"] = Json(c.sizes().vec());
    e["offset"] = static_cast<int64_t>(offset);
    e["nbytes"] = static_cast<int64_t>(c.nbytes());
    table.push_back(std::move(e));
    offset = align_up(offset + c.nbytes());
    cpu.push_back(std::move(c));
  }
  Json header = Json::object();
  header["meta"] = ckpt.meta;
  header["tensors"] = std::move(table);
  header["data_bytes"] = static_cast<int64_t>(offset);
  const std::string text = header.dump();
  const uint64_t header_len = text.size();

  atomic_write_with(path, [&](std::FILE* f) {
    uLong crc = crc32(0L, Z_NULL, 0);
    size_t written = 0;
    auto put = [&](const void* p, size_t n) {
      for (size_t at = 0; at < n;) {
        const size_t chunk = std::min<size_t>(n - at, 1u << 30);
        crc = crc32(crc, static_cast<const Bytef*>(p) + at, static_cast<uInt>(chunk));
        at += chunk;
      }
      if (n && std::fwrite(p, 1, n, f) != n) fail("cannot write {}: {}", path, std::strerror(errno));
      written += n;
    };
    static const char zeros[kAlign] = {};
    auto pad = [&] { put(zeros, align_up(written) - written); };
    put(kMagic, 8);
    put(&header_len, 8);
    put(text.data(), text.size());
    pad();
    for (const auto& c : cpu) {
      put(c.data_ptr(), c.nbytes());
      pad();
    }
    const uint32_t c32 = static_cast<uint32_t>(crc);
    if (std::fwrite(&c32, 1, 4, f) != 4) fail("cannot write {}: {}", path, std::strerror(errno));
  });
}

namespace {

// One row of the header's tensor table, checked against the data section before anything is
// allocated: non-negative dimensions, a byte count that matches them without overflow, inside.
struct TensorEntry {
  std::string name;
  torch::Dtype dtype;
  std::vector<int64_t> shape;
  uint64_t offset = 0, nbytes = 0;
};

TensorEntry parse_entry(const Json& e, uint64_t data_len, const std::string& path) {
  TensorEntry t;
  int64_t off = -1, nb = -1;
  try {
    t.name = e.at("name").get<std::string>();
    t.shape = json_ints(e.at("shape"));
    off = json_int(e.at("offset"));
    nb = json_int(e.at("nbytes"));
  } catch (const std::exception& x) {  // a missing key, a wrong type, a non-integer
    fail("{}: corrupted checkpoint header ({})", path, json_error(x));
  }
  t.dtype = dtype_from(e.at("dtype").is_string() ? e.at("dtype").get<std::string>() : e.at("dtype").dump(), path);
  uint64_t bytes = torch::elementSize(t.dtype);
  for (const int64_t s : t.shape) bytes = s < 0 ? UINT64_MAX : saturating_mul(bytes, static_cast<uint64_t>(s));
  if (off < 0 || nb < 0 || bytes != static_cast<uint64_t>(nb) || static_cast<uint64_t>(off) > data_len ||
      static_cast<uint64_t>(nb) > data_len - static_cast<uint64_t>(off))
    fail("{}: corrupted checkpoint (tensor '{}' out of bounds)", path, t.name);
  t.offset = static_cast<uint64_t>(off);
  t.nbytes = static_cast<uint64_t>(nb);
  return t;
}

}  // namespace

Checkpoint load_checkpoint(const std::string& path) {
  const std::string bytes = read_file(path);
  auto [header, data_start] = parse_header(bytes, path);
  Checkpoint ckpt;
  ckpt.source = path;
  try {
    ckpt.meta = header.at("meta");
    const uint64_t data_len = static_cast<uint64_t>(json_int(header.at("data_bytes")));
    for (const Json& e : header.at("tensors")) {
      const TensorEntry t = parse_entry(e, data_len, path);
      torch::Tensor v = torch::empty(t.shape, torch::TensorOptions().dtype(t.dtype));
      if (t.nbytes) std::memcpy(v.data_ptr(), bytes.data() + data_start + t.offset, t.nbytes);
      ckpt.tensors.emplace_back(t.name, std::move(v));
    }
  } catch (const Json::exception& e) {  // a missing key or a wrong type in a CRC-valid header
    fail("{}: corrupted checkpoint header ({})", path, json_error(e));
  }
  return ckpt;
}

Json read_checkpoint_meta(const std::string& path) {
  const std::string bytes = read_file(path);
  const Json header = parse_header(bytes, path).first;
  if (!header.is_object() || !header.contains("meta")) fail("{}: corrupted checkpoint header (no meta)", path);
  return header.at("meta");
}

bool is_checkpoint_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char m[8] = {};
  const bool ok = std::fread(m, 1, 8, f) == 8 && std::memcmp(m, kMagic, 8) == 0;
  std::fclose(f);
  return ok;
}

CheckpointDir::CheckpointDir(std::string dir, int keep) : dir_(std::move(dir)), keep_(std::max(1, keep)) {}

std::vector<std::string> CheckpointDir::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    const bool digits =
        name.size() > 9 && std::all_of(name.begin() + 5, name.end() - 4, [](char c) { return c >= '0' && c <= '9'; });
    if (name.rfind("ckpt-", 0) == 0 && name.ends_with(".ddm") && digits) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());  // zero-padded step numbers sort in step order
  return out;
}

std::string CheckpointDir::latest() const {
  const auto all = list();
  return all.empty() ? "" : all.back();
}

int64_t CheckpointDir::latest_step() const {
  const std::string p = latest();
  if (p.empty()) return -1;
  const std::string name = std::filesystem::path(p).filename().string();  // ckpt-<digits>.ddm
  return std::stoll(name.substr(5, name.size() - 9));
}

std::string CheckpointDir::path_for(int64_t step) const { return path_join(dir_, format("ckpt-{:010d}.ddm", step)); }

std::string CheckpointDir::save(const Checkpoint& ckpt, int64_t step) const {
  const std::string path = path_for(step);
  save_checkpoint(path, ckpt);
  auto all = list();
  for (size_t i = 0; i + static_cast<size_t>(keep_) < all.size(); ++i) std::remove(all[i].c_str());
  return path;
}

void CheckpointDir::remove_stale_temporaries() const {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ckpt-", 0) == 0 && name.find(".ddm.tmp.") != std::string::npos)
      std::filesystem::remove(e.path(), ec);
  }
}

void CheckpointDir::remove_all() const {
  for (const auto& p : list()) std::remove(p.c_str());
}

}  // namespace ddm
