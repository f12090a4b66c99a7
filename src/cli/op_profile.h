// Per-operator time of a benchmarked run (to see where bf16 does and doesn't pay): LibTorch's
// Kineto profiler records every ATen call while the scope lives; `table()` sums each operator's
// self time (its duration less its nested calls') over all threads, largest first.
#pragma once
#include <string>

#include "util/json.h"

namespace ddm::cli {

class OpProfile {
 public:
  OpProfile();  // starts recording CPU operators
  ~OpProfile();
  OpProfile(const OpProfile&) = delete;
  OpProfile& operator=(const OpProfile&) = delete;
  // Stops recording; one JSON object per operator: op, calls, self_ms, share (of all self time).
  Json table();

 private:
  bool active_ = false;
};

}  // namespace ddm::cli
