// Independent tasks run across LibTorch's intra-op threads, one task per thread (grouped
// dispatch runs each expert on its rows as one task).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace ddm {

// Runs task(i) for i in [0, cost.size()). With several intra-op threads, and outside any
// parallel region, the tasks run concurrently, largest cost first, each on one thread (its
// LibTorch ops run single-threaded inside the region); the caller's thread-local state (grad
// mode, inference mode, autocast) is carried into the workers. Otherwise one after another.
// Exceptions propagate to the caller.
void run_tasks(const std::vector<int64_t>& cost, const std::function<void(size_t)>& task);

}  // namespace ddm
