// Host facts from /proc (Linux); unknown values come back as 0 or "".
#include "util/sysinfo.h"

#include <fstream>
#include <string>
#include <thread>

namespace ddm {

int64_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmHWM:  1234 kB"
  return 0;
}

int cpu_count() { return static_cast<int>(std::thread::hardware_concurrency()); }

}  // namespace ddm
