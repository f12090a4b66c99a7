// run_tasks (see parallel_tasks.h). Compiled with OpenMP where CMake finds it: ATen's
// parallel_for is a header template that runs serially in a translation unit built without
// OpenMP. LibTorch's wheel ships libgomp.so.1 under the same soname, so one runtime is loaded.
#include "sample/parallel_tasks.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>

#include <algorithm>
#include <atomic>
#include <numeric>

namespace ddm {

// Why tasks and not threads inside each op: a U-Net on a sub-batch of a few rows uses two
// threads poorly (a 2-thread NCHW conv2d on 28x28 maps measured slower than one thread).
void run_tasks(const std::vector<int64_t>& cost, const std::function<void(size_t)>& task) {
  const size_t n = cost.size();
  if (n == 0) return;
  if (n == 1 || at::get_num_threads() < 2 || at::in_parallel_region()) {
    for (size_t i = 0; i < n; ++i) task(i);
    return;
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cost[a] > cost[b]; });
  const at::ThreadLocalState state;
  std::atomic<size_t> next{0};
  const int64_t workers = std::min<int64_t>(at::get_num_threads(), static_cast<int64_t>(n));
  at::parallel_for(0, workers, 1, [&](int64_t, int64_t) {
    const at::ThreadLocalStateGuard guard(state);
    for (size_t i = next++; i < n; i = next++) task(order[i]);
  });
}

}  // namespace ddm
