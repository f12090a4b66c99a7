// spdlog behind ddm::log: a stderr sink plus an optional file sink for the run folder.
#include "util/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "util/progress.h"

namespace ddm::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};

spdlog::level::level_enum to_spd(Level l) {
  switch (l) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

struct Loggers {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> term;
  std::shared_ptr<spdlog::logger> file;
  Loggers() {
    term = std::make_shared<spdlog::logger>("ddm", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    term->set_pattern("%^[%H:%M:%S %L]%$ %v");
    term->set_level(spdlog::level::trace);
  }
};

Loggers& loggers() {
  static Loggers l;
  return l;
}

}  // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }

void set_file(const std::string& path) {
  auto& L = loggers();
  std::lock_guard lock(L.mu);
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
  L.file = std::make_shared<spdlog::logger>("ddm-file", sink);
  L.file->set_pattern("[%Y-%m-%d %H:%M:%S.%e %L] %v");
  L.file->set_level(spdlog::level::trace);
  L.file->flush_on(spdlog::level::trace);
}

void write(Level l, const std::string& message) {
  if (l < g_level.load()) return;
  auto& L = loggers();
  std::lock_guard lock(L.mu);
  ProgressBar::clear_line();  // a live progress bar is redrawn on its next update
  L.term->log(to_spd(l), message);
  if (L.file) L.file->log(to_spd(l), message);
}

}  // namespace ddm::log
