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

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      return colon == std::string::npos ? "" : line.substr(colon + 2);
    }
  return "";
}

int cpu_count() { return static_cast<int>(std::thread::hardware_concurrency()); }

}  // namespace ddm
