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
constexpr Rgb kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
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
      const int x = static_cast<int>(std::lround(x0 + u * (x1 - x0))), y = static_cast<int>(std::lround(y0 + u * (y1 - y0)));
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
      const int qx0 = static_cast<int>(p[0]), qy0 = static_cast<int>(p[1]), qx1 = static_cast<int>(p[8]), qy1 = static_cast<int>(p[9]);
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
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) t.push_back(std::fabs(v) < 1e-12 * span ? 0 : v);
  return t;
}

}  // namespace

void save_plot(const std::string& path, const std::vector<PlotSeries>& series, const PlotOptions& o) {
  auto fx = [&](double v) { return o.log_x ? std::log10(v) : v; };
  auto fy = [&](double v) { return o.log_y ? std::log10(v) : v; };
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if ((o.log_x && s.x[i] <= 0) || (o.log_y && s.y[i] <= 0) || !std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, fx(s.x[i])), x1 = std::max(x1, fx(s.x[i]));
      y0 = std::min(y0, fy(s.y[i])), y1 = std::max(y1, fy(s.y[i]));
    }
  require(x0 <= x1, "plot {}: nothing to plot", path);
  if (!std::isnan(o.x_min)) x0 = fx(o.x_min);
  if (!std::isnan(o.x_max)) x1 = fx(o.x_max);
  if (!std::isnan(o.y_min)) y0 = fy(o.y_min);
  if (!std::isnan(o.y_max)) y1 = fy(o.y_max);
  if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
  if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
  const double mx = 0.04 * (x1 - x0), my = 0.06 * (y1 - y0);
  if (std::isnan(o.x_min)) x0 -= mx;
  if (std::isnan(o.x_max)) x1 += mx;
  if (std::isnan(o.y_min)) y0 -= my;
  if (std::isnan(o.y_max)) y1 += my;

  Canvas c(o.width, o.height);
  const int left = 70, right = o.width - 20, top = 34, bottom = o.height - 46;
  if (o.equal_aspect) {  // widen the shorter axis so one unit has the same length on both
    const double sx = (x1 - x0) / (right - left), sy = (y1 - y0) / (bottom - top), s = std::max(sx, sy);
    const double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    x0 = cx - s * (right - left) / 2, x1 = cx + s * (right - left) / 2;
    y0 = cy - s * (bottom - top) / 2, y1 = cy + s * (bottom - top) / 2;
  }
  auto px = [&](double v) { return left + (v - x0) / (x1 - x0) * (right - left); };
  auto py = [&](double v) { return bottom - (v - y0) / (y1 - y0) * (bottom - top); };
  const Rgb black{0, 0, 0}, grey{225, 225, 225};

  auto ticks = [&](double lo, double hi, bool log) {
    if (!log) return linear_ticks(lo, hi);
    std::vector<double> t;
    for (double e = std::ceil(lo); e <= hi; e += 1) t.push_back(e);
    if (t.size() < 2) return linear_ticks(lo, hi);
    return t;
  };
  for (double t : ticks(x0, x1, o.log_x)) {
    const double p = px(t);
    c.line(p, top, p, bottom, grey);
    const std::string s = tick_label(o.log_x ? std::pow(10, t) : t, o.log_x);
    c.text(static_cast<int>(p) - Canvas::text_width(s) / 2, bottom + 6, s, black);
  }
  for (double t : ticks(y0, y1, o.log_y)) {
    const double p = py(t);
    c.line(left, p, right, p, grey);
    const std::string s = tick_label(o.log_y ? std::pow(10, t) : t, o.log_y);
    c.text(left - 6 - Canvas::text_width(s), static_cast<int>(p) - 3, s, black);
  }
  c.line(left, bottom, right, bottom, black);
  c.line(left, top, left, bottom, black);
  c.text((left + right - Canvas::text_width(o.title)) / 2, 10, o.title, black);
  c.text((left + right - Canvas::text_width(o.xlabel)) / 2, o.height - 20, o.xlabel, black);
  c.text(12, (top + bottom + Canvas::text_width(o.ylabel)) / 2, o.ylabel, black, true);

  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const Rgb col = kPalette[(s.color >= 0 ? s.color : static_cast<int>(k)) % 10];
    bool have = false;
    double lx = 0, ly = 0;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if ((o.log_x && s.x[i] <= 0) || (o.log_y && s.y[i] <= 0) || !std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        have = false;
        continue;
      }
      const double X = px(fx(s.x[i])), Y = py(fy(s.y[i]));
      if (X < left - 1 || X > right + 1 || Y < top - 1 || Y > bottom + 1) {
        have = false;
        continue;
      }
      if (s.markers) c.rect(static_cast<int>(X) - 1, static_cast<int>(Y) - 1, static_cast<int>(X) + 2, static_cast<int>(Y) + 2, col);
      else if (have) c.line(lx, ly, X, Y, col, 2);
      lx = X, ly = Y, have = true;
    }
    if (!s.label.empty()) {  // legend, top right
      const int ly0 = top + 8 + static_cast<int>(k) * 12, lx0 = right - 12 - Canvas::text_width(s.label) - 18;
      c.rect(lx0, ly0 + 1, lx0 + 12, ly0 + 5, col);
      c.text(lx0 + 16, ly0, s.label, black);
    }
  }
  write_png(path, c.image());
}

}  // namespace ddm
