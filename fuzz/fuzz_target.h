// Shared by the libFuzzer targets: a reader may reject bytes only with ddm's one-line
// Error; any other exception, crash, sanitizer report, hang or oversized allocation is a finding.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "util/error.h"

namespace ddm::fuzz {

// Runs `read` on the input; ddm::Error is the expected way to refuse bytes.
template <class F>
int run(F read) {
  try {
    read();
  } catch (const ddm::Error&) {
  }
  return 0;
}

// The input as a file (for readers that take a path), one per process.
inline std::string as_file(const uint8_t* data, size_t size, const char* ext) {
  const std::string path = "/tmp/ddm-fuzz-" + std::to_string(::getpid()) + ext;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return path;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

}  // namespace ddm::fuzz
