// What the CPU offers for bf16: AVX512-BF16 (bf16 dot products in AVX-512) and AMX
// (bf16 tile matrix multiplies), read from /proc/cpuinfo's flags. Where neither is present,
// oneDNN emulates bf16 with fp32 arithmetic plus conversions, slower than fp32 itself.
// No torch here: benchmarks and logs stamp these on their rows.
#pragma once
#include <string>
#include <vector>

namespace ddm {

struct CpuFeatures {
  std::string model;               // "model name"
  std::vector<std::string> flags;  // the bf16-relevant subset present, in kBf16Flags' order
  bool avx512_bf16 = false, amx_bf16 = false;
  bool native_bf16() const { return avx512_bf16 || amx_bf16; }
  std::string describe() const;  // "Intel Xeon ... (avx512_bf16 amx_bf16 amx_tile)"
};

// Parses /proc/cpuinfo's text (the first processor's block); testable on any text.
CpuFeatures parse_cpuinfo(const std::string& text);
// This machine's, read once.
const CpuFeatures& cpu_features();

}  // namespace ddm
