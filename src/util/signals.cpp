// Async-signal-safe stop flag (see signals.h): the handler only stores the signal number.
#include "util/signals.h"

#include <atomic>
#include <csignal>

namespace ddm {
namespace {
std::atomic<int> g_signal{0};
struct sigaction g_old_int, g_old_term;
void on_signal(int sig) { g_signal.store(sig); }
}  // namespace

StopSignal::StopSignal() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignal::~StopSignal() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool StopSignal::requested() { return g_signal.load() != 0; }
int StopSignal::signal_number() { return g_signal.load(); }
const char* StopSignal::signal_name() {
  const int s = g_signal.load();
  return s == 0 ? "none" : stop_signal_name(s);
}

const char* stop_signal_name(int s) { return s == SIGINT ? "SIGINT" : s == SIGTERM ? "SIGTERM" : "another signal"; }
void StopSignal::reset() { g_signal.store(0); }

}  // namespace ddm
