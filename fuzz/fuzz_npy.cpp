// libFuzzer target: the .npy reader (header dict, dtype, shape, data size).
#include "fuzz_target.h"
#include "util/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ddm::fuzz::run([&] {
    const ddm::NpyArray a = ddm::parse_npy(std::string(reinterpret_cast<const char*>(data), size), "fuzz.npy");
    a.to_double();
  });
}
