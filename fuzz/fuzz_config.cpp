// libFuzzer target: the YAML run configuration (yaml-cpp, then ddm's field table and validation).
#include "config/config.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ddm::fuzz::as_file(data, size, ".yaml");
  return ddm::fuzz::run([&] { ddm::load_config(path); });
}
