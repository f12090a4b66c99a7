// Implementation of ddm::format (see format.h): spec parsing done once, here, not per type.
#include "util/format.h"

#include <cstdio>
#include <stdexcept>

namespace ddm::detail {
namespace {

struct Spec {
  char align = 0;     // '<' or '>' or 0
  bool zero = false;  // "{:05d}": pad numbers with zeros
  int width = -1;
  int precision = -1;
  char type = 0;
};

Spec parse_spec(std::string_view s) {
  Spec spec;
  size_t i = 0;
  if (i < s.size() && (s[i] == '<' || s[i] == '>')) spec.align = s[i++];
  if (i < s.size() && s[i] == '0') {
    spec.zero = true;
    ++i;
  }
  int w = 0;
  bool has_w = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    w = w * 10 + (s[i++] - '0');
    has_w = true;
  }
  if (has_w) spec.width = w;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int p = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') p = p * 10 + (s[i++] - '0');
    spec.precision = p;
  }
  if (i < s.size()) spec.type = s[i++];
  if (i != s.size()) throw std::logic_error("ddm::format: bad spec '" + std::string(s) + "'");
  return spec;
}

void pad(std::string& out, const Spec& spec, const std::string& body, bool numeric) {
  const int fill = spec.width - static_cast<int>(body.size());
  const bool right = spec.align == '>' || (spec.align == 0 && numeric);
  if (fill > 0 && numeric && spec.zero) {
    const bool neg = !body.empty() && body[0] == '-';
    if (neg) out += '-';
    out.append(fill, '0');
    out.append(body, neg ? 1 : 0, std::string::npos);
    return;
  }
  if (fill > 0 && right) out.append(fill, ' ');
  out += body;
  if (fill > 0 && !right) out.append(fill, ' ');
}

}  // namespace

void append_double(std::string& out, std::string_view s, double v) {
  const Spec spec = parse_spec(s);
  char buf[64];
  const char type = spec.type ? spec.type : 'g';
  if (type == 'd') {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (spec.precision >= 0) {
    const char f[] = {'%', '.', '*', type, 0};
    std::snprintf(buf, sizeof buf, f, spec.precision, v);
  } else if (!spec.type) {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  } else {
    const char f[] = {'%', type, 0};
    std::snprintf(buf, sizeof buf, f, v);
  }
  pad(out, spec, buf, true);
}

void append_int(std::string& out, std::string_view s, long long v) {
  const Spec spec = parse_spec(s);
  if (spec.type == 'f' || spec.type == 'e' || spec.type == 'g') return append_double(out, s, double(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, spec.type == 'x' ? "%llx" : "%lld", v);
  pad(out, spec, buf, true);
}

void append_uint(std::string& out, std::string_view s, unsigned long long v) {
  const Spec spec = parse_spec(s);
  if (spec.type == 'f' || spec.type == 'e' || spec.type == 'g') return append_double(out, s, double(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, spec.type == 'x' ? "%llx" : "%llu", v);
  pad(out, spec, buf, true);
}

void append_str(std::string& out, std::string_view s, std::string_view v) {
  const Spec spec = parse_spec(s);
  std::string body(v);
  if (spec.precision >= 0 && static_cast<int>(body.size()) > spec.precision) body.resize(spec.precision);
  pad(out, spec, body, false);
}

std::string vformat(std::string_view fmt, const Appender* fns, const void* const* args, size_t n) {
  std::string out;
  out.reserve(fmt.size() + 16 * n);
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
      out += '}';
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    const size_t close = fmt.find('}', i);
    if (close == std::string_view::npos) throw std::logic_error("ddm::format: unclosed '{'");
    std::string_view spec = fmt.substr(i + 1, close - i - 1);
    if (!spec.empty() && spec[0] == ':') spec.remove_prefix(1);
    if (next >= n) throw std::logic_error("ddm::format: too few arguments for '" + std::string(fmt) + "'");
    fns[next](out, spec, args[next]);
    ++next;
    i = close;
  }
  return out;
}

}  // namespace ddm::detail
