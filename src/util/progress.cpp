// Progress bar drawing (see progress.h).
#include "util/progress.h"

#include <unistd.h>

#include <cstdio>

#include "util/format.h"

namespace ddm {
namespace {
bool g_bar_on_screen = false;
}

std::string format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) return format("{}:{:02d}:{:02d}", t / 3600, (t / 60) % 60, t % 60);
  return format("{}:{:02d}", t / 60, t % 60);
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      tty_(isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() {
  if (!finished_ && g_bar_on_screen) clear_line();
}

void ProgressBar::start_at(int64_t done) {
  base_ = done_ = done;
  start_ = std::chrono::steady_clock::now();
}

double ProgressBar::rate() const {
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return dt > 0 ? static_cast<double>(done_ - base_) / dt : 0.0;
}

void ProgressBar::update(int64_t done, const std::string& extra) {
  done_ = done;
  extra_ = extra;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? 0.1 : 10.0) && done_ < total_) return;
  last_draw_ = now;
  draw(false);
}

void ProgressBar::finish(const std::string& extra) {
  if (!extra.empty()) extra_ = extra;
  draw(true);
  finished_ = true;
}

void ProgressBar::clear_line() {
  if (g_bar_on_screen) {
    std::fputs("\r\033[K", stderr);
    g_bar_on_screen = false;
  }
}

void ProgressBar::draw(bool final) {
  const double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const double r = rate();
  const double eta = r > 0 ? static_cast<double>(total_ - done_) / r : -1;
  std::string line = label_;
  if (tty_) {
    constexpr int kWidth = 24;
    const int fill = static_cast<int>(frac * kWidth);
    line += " [" + std::string(fill, '=') + (fill < kWidth ? ">" : "") +
            std::string(kWidth - fill - (fill < kWidth ? 1 : 0), ' ') + "]";
  }
  line += format(" {:3.0f}% {}/{}", 100 * frac, done_, total_);
  if (!extra_.empty()) line += " | " + extra_;
  line += format(" | {:.1f} {}/s | {} {}", r, unit_, final ? "took" : "ETA",
                 format_duration(final ? static_cast<double>(done_ - base_) / (r > 0 ? r : 1) : eta));
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
    g_bar_on_screen = !final;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace ddm
