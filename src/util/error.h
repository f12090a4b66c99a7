// The one exception type for user-facing failures. Its message is the single line that
// `ddm` prints before exiting non-zero, so it must name the file, key or value at fault.
#pragma once
#include <stdexcept>
#include <string>

#include "util/format.h"

namespace ddm {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad command line (unknown flag, missing argument): exits with status 2 instead of 1.
class UsageError : public Error {
 public:
  using Error::Error;
};

template <class... Args>
[[noreturn]] void fail(std::string_view fmt, const Args&... args) {
  throw Error(format(fmt, args...));
}

// Checks a precondition of user input; `what` is formatted only when the check fails.
template <class... Args>
void require(bool ok, std::string_view fmt, const Args&... args) {
  if (!ok) throw Error(format(fmt, args...));
}

}  // namespace ddm
