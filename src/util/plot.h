// Small PNG charts with no plotting library: line plots (optionally log-log) and scatter plots,
// with axes, ticks, a title and a legend drawn with stb_easy_font. Used for 2-D previews,
// `ddm router-profile`, `ddm trajectory` and `ddm theory`.
// Own code: Debian packages no C++ plotting library (matplot++ is not packaged) that writes a PNG.
#pragma once
#include <string>
#include <vector>

namespace ddm {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
  bool markers = false;  // draw points; otherwise a line
  int color = -1;        // palette index (-1: by position)
};

struct PlotOptions {
  std::string title, xlabel, ylabel;
  bool log_x = false, log_y = false;
  int width = 640, height = 440;
  // Fixed axis limits (NaN: from the data).
  double x_min = 0.0 / 0.0, x_max = 0.0 / 0.0, y_min = 0.0 / 0.0, y_max = 0.0 / 0.0;
  bool equal_aspect = false;
};

void save_plot(const std::string& path, const std::vector<PlotSeries>& series, const PlotOptions& opts);

}  // namespace ddm
