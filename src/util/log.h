// Human-readable logging to the terminal and, for a run, to <run>/log.txt.
// spdlog lives only in log.cpp (see format.h for why); callers format with ddm::format.
#pragma once
#include <string>
#include <string_view>

#include "util/format.h"

namespace ddm::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

void set_level(Level level);
Level level();
// Also append every message to `path` (the run's log.txt). Replaces an earlier file sink.
void set_file(const std::string& path);
void write(Level level, const std::string& message);

template <class... A>
void debug(std::string_view fmt, const A&... a) {
  if (level() <= Level::kDebug) write(Level::kDebug, format(fmt, a...));
}
template <class... A>
void info(std::string_view fmt, const A&... a) {
  if (level() <= Level::kInfo) write(Level::kInfo, format(fmt, a...));
}
template <class... A>
void warn(std::string_view fmt, const A&... a) {
  write(Level::kWarn, format(fmt, a...));
}
template <class... A>
void error(std::string_view fmt, const A&... a) {
  write(Level::kError, format(fmt, a...));
}

}  // namespace ddm::log
