// Two ddm processes as two torchrun ranks on this machine: the variables torchrun sets (without
// its agent), a free loopback port, and each rank's working folder.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "test_util.h"
#include "util/fs.h"

namespace ddm::test {

inline int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(s);
  return ntohs(a.sin_port);
}

// Runs `ddm args` as two ranks; returns rank 0's result, with rank 1's output in <dir>/rank1.log
// and its status checked when `rank1_must_succeed`. `cwd0`, `cwd1`: each rank's working folder
// ("" for this one), so that a relative path names a different folder on each rank.
inline CommandResult run_two_ranks(const std::string& args, const std::string& dir, bool rank1_must_succeed = true,
                                   const std::string& cwd0 = "", const std::string& cwd1 = "") {
  const std::string env = format("WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT={} OMP_NUM_THREADS=1", free_port());
  const std::string log1 = dir + "/rank1.log";
  const auto in = [](const std::string& cwd) { return cwd.empty() ? std::string() : "cd " + cwd + " && "; };
  const auto r = run_command(
      format("(({}env {} RANK=1 LOCAL_RANK=1 {} {} > {} 2>&1; echo $? > {}.rc) & {}env {} RANK=0 {} {}; s=$?; wait; "
             "exit $s)",
             in(cwd1), env, DDM_BINARY, args, log1, log1, in(cwd0), env, DDM_BINARY, args));
  if (rank1_must_succeed) {
    EXPECT_EQ(read_file(log1 + ".rc"), "0\n") << read_file(log1);
  }
  return r;
}

}  // namespace ddm::test
