// The cap on what one reader of outside bytes may allocate. A header can claim any
// size, so readers of compressed streams (gzip IDX, PNG/JPEG/BMP, .npz members) compare the size
// the file declares with `data.max_bytes` before allocating it, and grow their buffers only as
// the stream delivers bytes; raw formats compare declared sizes with the file's own size.
#pragma once
#include <cstdint>
#include <string>

namespace ddm {

inline constexpr int64_t kDefaultMaxBytes = int64_t{8} << 30;  // data.max_bytes' default: 8 GiB

// Fails in one line naming `source`, `what`, the declared size and the cap when declared > cap.
void check_byte_limit(const std::string& source, const std::string& what, uint64_t declared, int64_t max_bytes);

// a * b, or UINT64_MAX when the product overflows (then any cap refuses it).
inline uint64_t saturating_mul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

}  // namespace ddm
