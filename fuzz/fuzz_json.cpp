// libFuzzer target: ddm's JSON reader (nlohmann-json through util/json.h's parse_json).
#include "fuzz_target.h"
#include "util/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ddm::fuzz::run([&] { ddm::parse_json(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json"); });
}
