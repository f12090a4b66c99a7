// libFuzzer target: ddm's checkpoint reader. The CRC-32 of the input is appended before it is
// read, so that mutations reach the header and tensor table instead of stopping at the CRC
// check (which the raw bytes are also fuzzed against through the corpus's truncated files).
#include <zlib.h>

#include <vector>

#include "fuzz_target.h"
#include "models/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  const uint32_t crc = static_cast<uint32_t>(crc32(0L, data, static_cast<uInt>(size)));
  const auto* c = reinterpret_cast<const uint8_t*>(&crc);
  bytes.insert(bytes.end(), c, c + 4);
  const std::string path = ddm::fuzz::as_file(bytes.data(), bytes.size(), ".ddm");
  return ddm::fuzz::run([&] {
    ddm::read_checkpoint_meta(path);
    ddm::load_checkpoint(path);
  });
}
