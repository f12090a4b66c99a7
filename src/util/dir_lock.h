// An exclusive lock on a training folder, so that two trainers never write the same checkpoints.
// It is an flock(2) on <dir>/.lock held by the process: the kernel drops it when the
// process exits, however it exits, so a killed run never leaves a stale lock. The file records the
// holder's pid and host for the refusal message.
#pragma once
#include <string>

namespace ddm {

class DirLock {
 public:
  // Fails in one line naming the folder and the holder when another process holds it.
  DirLock(const std::string& dir, const std::string& who);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace ddm
