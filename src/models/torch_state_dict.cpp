// torch.save'd state dicts through LibTorch's unpickler (see torch_state_dict.h).
#include "models/torch_state_dict.h"

#include <caffe2/serialize/in_memory_adapter.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/jit/serialization/storage_context.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/fs.h"

namespace ddm {
namespace {

bool is_one_of(char op, std::string_view ops) { return ops.find(op) != std::string_view::npos; }

// The size of an opcode's length field (1, 4 or 8 bytes) when its argument is a byte string of
// that length; 0 for every other opcode (pickletools' table, protocols 0-5).
size_t length_field(char op) {
  if (is_one_of(op, "UC\x8c\x8a")) return 1;    // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE, LONG1
  if (is_one_of(op, "TBX\x8b")) return 4;       // BINSTRING, BINBYTES, BINUNICODE, LONG4
  if (is_one_of(op, "\x8d\x8e\x96")) return 8;  // BINUNICODE8, BINBYTES8, BYTEARRAY8
  return 0;
}

// The size of an opcode's fixed argument; SIZE_MAX for the text opcodes that end at a newline.
size_t fixed_argument(char op) {
  if (is_one_of(op, "\x80qhK\x82")) return 1;  // PROTO, BINPUT, BINGET, BININT1, EXT1
  if (is_one_of(op, "M\x83")) return 2;        // BININT2, EXT2
  if (is_one_of(op, "Jrj\x84")) return 4;      // BININT, LONG_BINPUT, LONG_BINGET, EXT4
  if (is_one_of(op, "G\x95")) return 8;        // BINFLOAT, FRAME
  if (is_one_of(op, "ciILFSVpgP")) return SIZE_MAX;
  return 0;
}

// LibTorch's unpickler reserves what a length field claims before it reads the bytes, and grows
// its memo to whatever index LONG_BINPUT names, so a corrupt field would allocate gigabytes. This
// walks the opcodes only to compare each claimed length with the bytes left and each memo index
// with the pickle's size (the unpickler still does all the parsing), and stops at STOP or at an
// opcode it does not know, which the unpickler then refuses.
void check_claimed_lengths(const char* p, size_t n, const std::string& source) {
  for (size_t i = 0; i < n;) {
    const char op = p[i++];
    if (op == '.') return;  // STOP
    if (const size_t field = length_field(op); field > 0) {
      require(field <= n - i, "{}: data.pkl ends inside an opcode at byte {}", source, i);
      uint64_t len = 0;
      std::memcpy(&len, p + i, field);  // little-endian, as pickle's
      if (field == 4) len = static_cast<uint32_t>(len);
      i += field;
      require(len <= n - i, "{}: data.pkl claims a {}-byte value at byte {}, beyond its {} bytes", source, len, i, n);
      i += len;
    } else if (const size_t fixed = fixed_argument(op); fixed == SIZE_MAX) {
      for (int lines = op == 'c' || op == 'i' ? 2 : 1; lines > 0 && i < n; ++i)
        if (p[i] == '\n') --lines;
    } else {
      require(fixed <= n - i, "{}: data.pkl ends inside an opcode at byte {}", source, i);
      // LONG_BINPUT: the unpickler grows its memo to the index; a pickle puts fewer than n values.
      uint32_t index = 0;
      if (op == 'r') std::memcpy(&index, p + i, 4);
      require(index < n, "{}: data.pkl stores memo entry {} at byte {}, beyond its {} bytes", source, index, i, n);
      i += fixed;
    }
  }
}

// torch::pickle_load, except that each storage is its data/<key> record at the record's own size
// (LibTorch otherwise sizes it by the numel the pickle claims, whatever the record holds, and a
// tensor would read past it; with true sizes its own bounds check refuses such a tensor), and
// that every length field is checked first.
c10::IValue unpickle(const std::string& bytes, const std::string& source) {
  caffe2::serialize::PyTorchStreamReader reader(
      std::make_shared<caffe2::serialize::MemoryReadAdapter>(bytes.data(), static_cast<off_t>(bytes.size())));
  const auto [pickle, pickle_size] = reader.getRecord("data.pkl");
  check_claimed_lengths(static_cast<const char*>(pickle.get()), pickle_size, source);
  auto storages = std::make_shared<torch::jit::DeserializationStorageContext>();
  for (const std::string& name : reader.getAllRecords()) {
    if (name.rfind("data/", 0) != 0) continue;
    const std::string key = name.substr(5);
    require(!storages->hasStorage(key), "{}: record {} appears twice", source, name);
    auto [data, size] = reader.getRecord(name);
    storages->addStorage(key, c10::Storage(c10::Storage::use_byte_size_t(), size, std::move(data), nullptr, false));
  }
  return torch::jit::readArchiveAndTensors("data", "", "", std::nullopt, std::nullopt, std::nullopt, reader,
                                           torch::jit::Unpickler::defaultTypeParser, storages);
}

}  // namespace

TensorList parse_torch_state_dict(const std::string& bytes, const std::string& source) {
  c10::IValue value;
  try {
    value = unpickle(bytes, source);
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    fail("{}: not a state dict that torch.save wrote: {}", source, first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    fail("{}: not a state dict that torch.save wrote: {}", source, first_line(e.what()));
  }
  require(value.isGenericDict(), "{}: holds a {}, not a state dict (a dict of names to tensors)", source,
          value.tagKind());
  TensorList out;
  for (const auto& item : value.toGenericDict()) {
    require(item.key().isString(), "{}: a state-dict key is a {}, not a name", source, item.key().tagKind());
    const std::string name = item.key().toStringRef();
    require(item.value().isTensor(), "{}: {} is a {}, not a tensor", source, name, item.value().tagKind());
    const torch::Tensor t = item.value().toTensor();
    require(t.layout() == torch::kStrided && !t.is_quantized() && t.has_storage(),
            "{}: tensor {} is not a dense tensor", source, name);
    out.emplace_back(name, t);
  }
  return out;
}

TensorList read_torch_state_dict(const std::string& path) { return parse_torch_state_dict(read_file(path), path); }

}  // namespace ddm
