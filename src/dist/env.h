// torchrun's description of a data-parallel job, read from the environment exactly as torchrun
// (and Slurm through torchrun) sets it: RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT,
// and the elastic agent's store (TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT).
// Torch-free, so that it is tested without a process group.
#pragma once
#include <functional>
#include <string>

namespace ddm {

struct DistEnv {
  int rank = 0, local_rank = 0, world_size = 1;
  std::string master_addr;
  int master_port = 0;
  // torchrun's agent hosts the TCPStore: every rank is a client, under the prefix
  // /worker/attempt_<restart_count> (torch.distributed.rendezvous's rule).
  bool agent_store = false;
  int restart_count = 0;
  bool distributed() const { return world_size > 1; }
  std::string store_prefix() const { return "/worker/attempt_" + std::to_string(restart_count); }
};

using EnvLookup = std::function<const char*(const char*)>;
// Without WORLD_SIZE (or with 1): one process. Otherwise every variable must be present and in
// range; errors are one line naming the variable and its value.
DistEnv read_dist_env(const EnvLookup& getenv);
DistEnv read_dist_env();  // the process environment

}  // namespace ddm
