// check_byte_limit (see byte_limit.h).
#include "util/byte_limit.h"

#include "util/error.h"

namespace ddm {

void check_byte_limit(const std::string& source, const std::string& what, uint64_t declared, int64_t max_bytes) {
  if (max_bytes >= 0 && declared <= static_cast<uint64_t>(max_bytes)) return;
  fail("{}: {} declares {} bytes, more than data.max_bytes = {} (raise data.max_bytes if the file is genuine)", source,
       what, declared == UINT64_MAX ? std::string("more than 2^64") : std::to_string(declared), max_bytes);
}

}  // namespace ddm
