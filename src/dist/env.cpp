// Reading torchrun's variables (see env.h).
#include "dist/env.h"

#include <cstdlib>
#include <limits>
#include <optional>

#include "util/error.h"

namespace ddm {
namespace {

// An integer variable in [lo, hi]; `fallback` when unset (required when fallback is nullopt).
int int_var(const EnvLookup& getenv, const char* name, int lo, int hi, std::optional<int> fallback) {
  const char* v = getenv(name);
  if (!v || !*v) {
    if (fallback) return *fallback;
    fail(
        "{} is not set: a data-parallel run needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT (start it with "
        "torchrun)",
        name);
  }
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi) fail("{}={}: expected an integer in {}..{}", name, v, lo, hi);
  return static_cast<int>(x);
}

}  // namespace

DistEnv read_dist_env(const EnvLookup& getenv) {
  DistEnv e;
  e.world_size = int_var(getenv, "WORLD_SIZE", 1, 1 << 20, 1);
  if (!e.distributed()) return e;
  e.rank = int_var(getenv, "RANK", 0, e.world_size - 1, std::nullopt);
  e.local_rank = int_var(getenv, "LOCAL_RANK", 0, e.world_size - 1, 0);
  const char* addr = getenv("MASTER_ADDR");
  if (!addr || !*addr)
    fail("MASTER_ADDR is not set: a data-parallel run needs it with MASTER_PORT (start it with torchrun)");
  e.master_addr = addr;
  e.master_port = int_var(getenv, "MASTER_PORT", 1, 65535, std::nullopt);
  const char* agent = getenv("TORCHELASTIC_USE_AGENT_STORE");
  e.agent_store = agent && std::string(agent) == "True";
  e.restart_count = int_var(getenv, "TORCHELASTIC_RESTART_COUNT", 0, std::numeric_limits<int>::max(), 0);
  return e;
}

DistEnv read_dist_env() {
  return read_dist_env([](const char* name) { return static_cast<const char*>(std::getenv(name)); });
}

}  // namespace ddm
