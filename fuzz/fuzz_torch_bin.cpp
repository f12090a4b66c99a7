// libFuzzer target: diffusers' .bin weights, a torch.save zip read by LibTorch's unpickler
// (interop/torch_state_dict.h): the zip directory, the pickle, the tensor records and storages.
#include "fuzz_target.h"
#include "models/torch_state_dict.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ddm::fuzz::run(
      [&] { ddm::parse_torch_state_dict(std::string(reinterpret_cast<const char*>(data), size), "fuzz.bin"); });
}
