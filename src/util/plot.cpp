// Rasterised charts (see plot.h). Text comes from stb_easy_font, which emits axis-aligned quads.
#include "util/plot.h"

#include <algorithm>
#include <cmath>

#define STB_EASY_FONT_IMPLEMENTATION
#include <stb/stb_easy_font.h>

#include "util/error.h"
#include "util/format.h"
#include "util/image.h"

namespace ddm {
namespace {

struct Rgb {
  uint8_t r, g, b;
};
constexpr Rgb kPalette[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                            {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

class Canvas {
 public:
  Canvas(int w, int h) {
    img_.width = w;
    img_.height = h;
    img_.channels = 3;
    img_.pixels.assign(static_cast<size_t>(w) * h * 3, 255);
  }
  void pixel(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= img_.width || y >= img_.height) return;
    uint8_t* p = img_.row(y) + 3 * x;
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }
  void rect(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) pixel(x, y, c);
  }
  void line(double x0, double y0, double x1, double y1, Rgb c, int thick = 1) {
    const int n = static_cast<int>(std::max(std::fabs(x1 - x0), std::fabs(y1 - y0))) + 1;
    for (int i = 0; i <= n; ++i) {
      const double u = static_cast<double>(i) / n;
      const int x = static_cast<int>(std::lround(x0 + u * (x1 - x0))),
                y = static_cast<int>(std::lround(y0 + u * (y1 - y0)));
      rect(x - thick / 2, y - thick / 2, x - thick / 2 + thick, y - thick / 2 + thick, c);
    }
  }
  // Text at (x, y) (top-left); `vertical` rotates it to read bottom-up.
  void text(int x, int y, const std::string& s, Rgb c, bool vertical = false) {
    static char buf[60000];
    const int quads = stb_easy_font_print(0, 0, const_cast<char*>(s.c_str()), nullptr, buf, sizeof(buf));
    const float* v = reinterpret_cast<const float*>(buf);
    for (int q = 0; q < quads; ++q) {
      const float* p = v + q * 16;  // 4 vertices of (x, y, z, color)
      const int qx0 = static_cast<int>(p[0]), qy0 = static_cast<int>(p[1]), qx1 = static_cast<int>(p[8]),
                qy1 = static_cast<int>(p[9]);
      for (int yy = qy0; yy < qy1; ++yy)
        for (int xx = qx0; xx < qx1; ++xx) vertical ? pixel(x + yy, y - xx, c) : pixel(x + xx, y + yy, c);
    }
  }
  static int text_width(const std::string& s) { return stb_easy_font_width(const_cast<char*>(s.c_str())); }
  const Image& image() const { return img_; }

 private:
  Image img_;
};

std::string tick_label(double v, bool log) {
  if (log) return format("{:g}", v);
  if (v == 0) return "0";
  const double a = std::fabs(v);
  return a >= 1e4 || a < 1e-3 ? format("{:.1e}", v) : format("{:g}", std::round(v * 1e4) / 1e4);
}

// "Nice" linear ticks covering [lo, hi].
std::vector<double> linear_ticks(double lo, double hi) {
  const double span = hi - lo, raw = span / 5;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step)
    t.push_back(std::fabs(v) < 1e-12 * span ? 0 : v);
  return t;
}

// The plot area in pixels and the data range it shows (after log scaling), with the maps between.
struct Frame {
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  int left = 70, right = 0, top = 34, bottom = 0;
  double px(double v) const { return left + (v - x0) / (x1 - x0) * (right - left); }
  double py(double v) const { return bottom - (v - y0) / (y1 - y0) * (bottom - top); }
};

double scaled(double v, bool log) { return log ? std::log10(v) : v; }
bool plottable(double x, double y, const PlotOptions& o) {
  return !((o.log_x && x <= 0) || (o.log_y && y <= 0) || !std::isfinite(x) || !std::isfinite(y));
}

// The data range of every plottable point, overridden by the options' limits, with a margin
// where no limit is given (and, with equal_aspect, the shorter axis widened).
Frame frame_for(const std::vector<PlotSeries>& series, const PlotOptions& o, const std::string& path) {
  Frame f;
  f.right = o.width - 20, f.bottom = o.height - 46;
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!plottable(s.x[i], s.y[i], o)) continue;
      f.x0 = std::min(f.x0, scaled(s.x[i], o.log_x)), f.x1 = std::max(f.x1, scaled(s.x[i], o.log_x));
      f.y0 = std::min(f.y0, scaled(s.y[i], o.log_y)), f.y1 = std::max(f.y1, scaled(s.y[i], o.log_y));
    }
  require(f.x0 <= f.x1, "plot {}: nothing to plot", path);
  if (!std::isnan(o.x_min)) f.x0 = scaled(o.x_min, o.log_x);
  if (!std::isnan(o.x_max)) f.x1 = scaled(o.x_max, o.log_x);
  if (!std::isnan(o.y_min)) f.y0 = scaled(o.y_min, o.log_y);
  if (!std::isnan(o.y_max)) f.y1 = scaled(o.y_max, o.log_y);
  if (f.x1 - f.x0 < 1e-12) f.x0 -= 0.5, f.x1 += 0.5;
  if (f.y1 - f.y0 < 1e-12) f.y0 -= 0.5, f.y1 += 0.5;
  const double mx = 0.04 * (f.x1 - f.x0), my = 0.06 * (f.y1 - f.y0);
  if (std::isnan(o.x_min)) f.x0 -= mx;
  if (std::isnan(o.x_max)) f.x1 += mx;
  if (std::isnan(o.y_min)) f.y0 -= my;
  if (std::isnan(o.y_max)) f.y1 += my;
  if (o.equal_aspect) {  // widen the shorter axis so one unit has the same length on both
    const double sx = (f.x1 - f.x0) / (f.right - f.left), sy = (f.y1 - f.y0) / (f.bottom - f.top), s = std::max(sx, sy);
    const double cx = (f.x0 + f.x1) / 2, cy = (f.y0 + f.y1) / 2;
    f.x0 = cx - s * (f.right - f.left) / 2, f.x1 = cx + s * (f.right - f.left) / 2;
    f.y0 = cy - s * (f.bottom - f.top) / 2, f.y1 = cy + s * (f.bottom - f.top) / 2;
  }
  return f;
}

std::vector<double> ticks(double lo, double hi, bool log) {
  if (!log) return linear_ticks(lo, hi);
  std::vector<double> t;
  for (double e = std::ceil(lo); e <= hi; e += 1) t.push_back(e);
  if (t.size() < 2) return linear_ticks(lo, hi);
  return t;
}

// Grid lines, tick labels, axes, title and axis labels.
void draw_axes(Canvas& c, const Frame& f, const PlotOptions& o) {
  const Rgb black{0, 0, 0}, grey{225, 225, 225};
  for (double t : ticks(f.x0, f.x1, o.log_x)) {
    const double p = f.px(t);
    c.line(p, f.top, p, f.bottom, grey);
    const std::string s = tick_label(o.log_x ? std::pow(10, t) : t, o.log_x);
    c.text(static_cast<int>(p) - Canvas::text_width(s) / 2, f.bottom + 6, s, black);
  }
  for (double t : ticks(f.y0, f.y1, o.log_y)) {
    const double p = f.py(t);
    c.line(f.left, p, f.right, p, grey);
    const std::string s = tick_label(o.log_y ? std::pow(10, t) : t, o.log_y);
    c.text(f.left - 6 - Canvas::text_width(s), static_cast<int>(p) - 3, s, black);
  }
  c.line(f.left, f.bottom, f.right, f.bottom, black);
  c.line(f.left, f.top, f.left, f.bottom, black);
  c.text((f.left + f.right - Canvas::text_width(o.title)) / 2, 10, o.title, black);
  c.text((f.left + f.right - Canvas::text_width(o.xlabel)) / 2, o.height - 20, o.xlabel, black);
  c.text(12, (f.top + f.bottom + Canvas::text_width(o.ylabel)) / 2, o.ylabel, black, true);
}

// Series k as a line (or markers), broken at unplottable points, with its legend entry.
void draw_series(Canvas& c, const Frame& f, const PlotSeries& s, size_t k, const PlotOptions& o) {
  const Rgb col = kPalette[(s.color >= 0 ? s.color : static_cast<int>(k)) % 10];
  bool have = false;
  double lx = 0, ly = 0;
  for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
    const double X = plottable(s.x[i], s.y[i], o) ? f.px(scaled(s.x[i], o.log_x)) : -1e9;
    const double Y = plottable(s.x[i], s.y[i], o) ? f.py(scaled(s.y[i], o.log_y)) : -1e9;
    if (X < f.left - 1 || X > f.right + 1 || Y < f.top - 1 || Y > f.bottom + 1) {
      have = false;
      continue;
    }
    if (s.markers)
      c.rect(static_cast<int>(X) - 1, static_cast<int>(Y) - 1, static_cast<int>(X) + 2, static_cast<int>(Y) + 2, col);
    else if (have)
      c.line(lx, ly, X, Y, col, 2);
    lx = X, ly = Y, have = true;
  }
  if (!s.label.empty()) {  // legend, top right
    const int ly0 = f.top + 8 + static_cast<int>(k) * 12, lx0 = f.right - 12 - Canvas::text_width(s.label) - 18;
    c.rect(lx0, ly0 + 1, lx0 + 12, ly0 + 5, col);
    c.text(lx0 + 16, ly0, s.label, Rgb{0, 0, 0});
  }
}

}  // namespace

void save_plot(const std::string& path, const std::vector<PlotSeries>& series, const PlotOptions& o) {
  const Frame f = frame_for(series, o, path);
  Canvas c(o.width, o.height);
  draw_axes(c, f, o);
  for (size_t k = 0; k < series.size(); ++k) draw_series(c, f, series[k], k, o);
  write_png(path, c.image());
}

}  // namespace ddm
