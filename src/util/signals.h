// SIGINT/SIGTERM as a stop request: long jobs poll `requested()` between steps, write a
// checkpoint and exit cleanly instead of dying mid-write. The guard restores the previous
// handlers when it goes out of scope.
#pragma once

namespace ddm {

class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  static bool requested();
  static int signal_number();  // the signal received (0 if none)
  static const char* signal_name();
  static void reset();
};

// "SIGINT", "SIGTERM" or "signal <n>".
const char* stop_signal_name(int signal);

}  // namespace ddm
