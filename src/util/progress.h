// A terminal progress bar: "label [=====>     ] 45% 450/1000 | loss 0.031 | 812 it/s | ETA 0:12".
// On a terminal it redraws one line; otherwise (CI, pipes) it prints a line every few seconds.
// Own code: Debian packages no C++ progress-bar library (indicators is not packaged).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace ddm {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::string unit = "it");
  ~ProgressBar();
  // Sets the absolute position; `extra` is shown after the counts (e.g. "loss 0.031").
  void update(int64_t done, const std::string& extra = "");
  void finish(const std::string& extra = "");
  double rate() const;  // units per second since construction (or since `start_at`)
  // Progress already done before this process started (resumed training) is not counted in
  // the rate.
  void start_at(int64_t done);

  // Erases a bar drawn on the terminal so that a log line can be printed cleanly.
  static void clear_line();

 private:
  void draw(bool final);
  std::string label_, unit_, extra_;
  int64_t total_, done_ = 0, base_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool tty_, finished_ = false;
};

std::string format_duration(double seconds);

}  // namespace ddm
