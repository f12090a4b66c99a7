// libFuzzer target: the safetensors reader (header length, JSON header, offsets, sizes).
#include "fuzz_target.h"
#include "util/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ddm::fuzz::run(
      [&] { ddm::parse_safetensors(std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors"); });
}
