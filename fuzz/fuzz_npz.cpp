// libFuzzer target: the .npz reader (zip directory, stored and deflated members, each .npy).
#include <cstdio>

#include "fuzz_target.h"
#include "util/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ddm::fuzz::as_file(data, size, ".npz");
  return ddm::fuzz::run([&] { ddm::read_npz(path); });
}
