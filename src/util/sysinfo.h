// What benchmarks report about the host: peak resident memory, CPU model, core count.
#pragma once
#include <cstdint>
#include <string>

namespace ddm {

int64_t peak_rss_bytes();  // VmHWM from /proc/self/status (0 if unknown)
std::string cpu_model();
int cpu_count();

}  // namespace ddm
