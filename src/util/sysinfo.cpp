// Host facts from /proc (Linux); unknown values come back as 0 or "".
#include "util/sysinfo.h"

#include <fstream>
#include <string>
#include <thread>

#include "util/cpu_features.h"

namespace ddm {

int64_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmHWM:  1234 kB"
  return 0;
}

std::string cpu_model() { return cpu_features().model; }

int cpu_count() { return static_cast<int>(std::thread::hardware_concurrency()); }

}  // namespace ddm
