// CPU bf16 capability from /proc/cpuinfo (see cpu_features.h).
#include "util/cpu_features.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ddm {
namespace {

// The flags that decide bf16 speed, and the vector extensions they build on.
constexpr const char* kBf16Flags[] = {"avx512_bf16", "amx_bf16", "amx_tile", "avx512f", "avx512_vnni", "avx2"};

std::string value_of(const std::string& line) {
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return "";
  const size_t start = line.find_first_not_of(" \t", colon + 1);
  return start == std::string::npos ? "" : line.substr(start);
}

}  // namespace

std::string CpuFeatures::describe() const {
  std::string out = model.empty() ? "unknown CPU" : model;
  out += " (";
  for (size_t i = 0; i < flags.size(); ++i) out += (i ? " " : "") + flags[i];
  return out + (flags.empty() ? "no AVX2/AVX-512 flags)" : ")");
}

CpuFeatures parse_cpuinfo(const std::string& text) {
  CpuFeatures f;
  std::istringstream in(text);
  std::vector<std::string> present;
  bool have_flags = false;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() && (have_flags || !f.model.empty())) break;  // end of the first processor's block
    if (line.rfind("model name", 0) == 0 && f.model.empty()) f.model = value_of(line);
    if (line.rfind("flags", 0) == 0 && !have_flags) {
      std::istringstream words(value_of(line));
      for (std::string w; words >> w;) present.push_back(w);
      have_flags = true;
    }
  }
  for (const char* flag : kBf16Flags)
    if (std::find(present.begin(), present.end(), flag) != present.end()) f.flags.push_back(flag);
  auto has = [&](const char* flag) { return std::find(f.flags.begin(), f.flags.end(), flag) != f.flags.end(); };
  f.avx512_bf16 = has("avx512_bf16");
  f.amx_bf16 = has("amx_bf16");
  return f;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = [] {
    std::ifstream in("/proc/cpuinfo");
    std::stringstream text;
    text << in.rdbuf();
    return parse_cpuinfo(text.str());
  }();
  return f;
}

}  // namespace ddm
