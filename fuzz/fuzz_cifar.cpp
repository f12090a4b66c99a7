// libFuzzer target: one CIFAR-10 batch file (label byte + 3072 pixel bytes per record).
#include "data/cifar.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ddm::fuzz::as_file(data, size, ".bin");
  return ddm::fuzz::run([&] {
    ddm::RawData raw;
    ddm::append_cifar_batch(path, raw);
  });
}
