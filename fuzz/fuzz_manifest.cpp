// libFuzzer target: the shard manifest (<run>/shards.json) through ShardManifest::load.
#include "data/shards.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ddm::fuzz::as_file(data, size, ".json");
  return ddm::fuzz::run([&] { ddm::ShardManifest::load(path); });
}
