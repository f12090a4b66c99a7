// What benchmarks report about the host: peak resident memory and core count (the CPU model
// and its bf16 flags: cpu_features.h).
#pragma once
#include <cstdint>
#include <string>

namespace ddm {

int64_t peak_rss_bytes();  // VmHWM from /proc/self/status (0 if unknown)
int cpu_count();

}  // namespace ddm
