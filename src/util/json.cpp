// JSON dump and a strict recursive-descent parser (RFC 8259, no extensions).
#include "util/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/error.h"

namespace ddm {

Json& Json::operator[](const std::string& key) {
  if (type_ == Type::kNull) type_ = Type::kObject;
  if (type_ != Type::kObject) throw Error("JSON: indexing a non-object with key '" + key + "'");
  for (auto& [k, v] : object_)
    if (k == key) return v;
  object_.emplace_back(key, Json());
  return object_.back().second;
}

const Json* Json::find(const std::string& key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const auto& [k, v] : object_)
    if (k == key) return &v;
  return nullptr;
}

const Json& Json::at(const std::string& key) const {
  const Json* j = find(key);
  if (!j) throw Error("missing key '" + key + "'");
  return *j;
}

void Json::push_back(Json v) {
  if (type_ == Type::kNull) type_ = Type::kArray;
  if (type_ != Type::kArray) throw Error("JSON: push_back on a non-array");
  array_.push_back(std::move(v));
}

size_t Json::size() const {
  return type_ == Type::kArray ? array_.size() : type_ == Type::kObject ? object_.size() : 0;
}

bool Json::as_bool() const {
  if (type_ != Type::kBool) throw Error("JSON: expected a boolean");
  return int_ != 0;
}
int64_t Json::as_int() const {
  if (type_ == Type::kInt) return int_;
  if (type_ == Type::kDouble && std::floor(double_) == double_) return static_cast<int64_t>(double_);
  throw Error("JSON: expected an integer");
}
double Json::as_double() const {
  if (type_ == Type::kDouble) return double_;
  if (type_ == Type::kInt) return static_cast<double>(int_);
  throw Error("JSON: expected a number");
}
const std::string& Json::as_string() const {
  if (type_ != Type::kString) throw Error("JSON: expected a string");
  return string_;
}
std::vector<int64_t> Json::as_int_vector() const {
  if (type_ != Type::kArray) throw Error("JSON: expected an array");
  std::vector<int64_t> v;
  v.reserve(array_.size());
  for (const auto& e : array_) v.push_back(e.as_int());
  return v;
}

namespace {

void dump_string(std::string& out, const std::string& s) {
  out += '"';
  for (const unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void newline(std::string& out, int indent, int depth) {
  if (indent < 0) return;
  out += '\n';
  out.append(static_cast<size_t>(indent * depth), ' ');
}

}  // namespace

void Json::dump_to(std::string& out, int indent, int depth) const {
  switch (type_) {
    case Type::kNull: out += "null"; break;
    case Type::kBool: out += int_ ? "true" : "false"; break;
    case Type::kInt: out += std::to_string(int_); break;
    case Type::kDouble: {
      if (!std::isfinite(double_)) { out += "null"; break; }  // JSON has no NaN/Inf
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", double_);
      // Shortest representation that round-trips.
      for (int p = 6; p < 17; ++p) {
        char b2[32];
        std::snprintf(b2, sizeof b2, "%.*g", p, double_);
        if (std::strtod(b2, nullptr) == double_) { std::snprintf(buf, sizeof buf, "%s", b2); break; }
      }
      out += buf;
      break;
    }
    case Type::kString: dump_string(out, string_); break;
    case Type::kArray: {
      bool flat = true;
      for (const auto& e : array_) flat = flat && !e.is_array() && !e.is_object();
      const int ind = flat ? -1 : indent;
      out += '[';
      for (size_t i = 0; i < array_.size(); ++i) {
        if (i) out += (flat && indent >= 0) ? ", " : ",";
        newline(out, ind, depth + 1);
        array_[i].dump_to(out, indent, depth + 1);
      }
      if (!array_.empty()) newline(out, ind, depth);
      out += ']';
      break;
    }
    case Type::kObject: {
      out += '{';
      for (size_t i = 0; i < object_.size(); ++i) {
        if (i) out += ',';
        newline(out, indent, depth + 1);
        dump_string(out, object_[i].first);
        out += indent >= 0 ? ": " : ":";
        object_[i].second.dump_to(out, indent, depth + 1);
      }
      if (!object_.empty()) newline(out, indent, depth);
      out += '}';
      break;
    }
  }
}

std::string Json::dump(int indent) const {
  std::string out;
  dump_to(out, indent, 0);
  return out;
}

namespace {

class Parser {
 public:
  Parser(std::string_view s, const std::string& src) : s_(s), src_(src) {}

  Json parse_document() {
    Json v = value();
    ws();
    if (pos_ != s_.size()) error("unexpected text after the value");
    return v;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    int line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    throw Error(format("{}:{}:{}: invalid JSON: {}", src_, line, col, what));
  }
  void ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  char peek() { ws(); return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void expect(char c) {
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool literal(std::string_view w) {
    if (s_.substr(pos_, w.size()) == w) { pos_ += w.size(); return true; }
    return false;
  }

  Json value() {
    if (++depth_ > 256) error("nesting too deep");
    Json v;
    const char c = peek();
    if (c == '{') v = object();
    else if (c == '[') v = array();
    else if (c == '"') v = Json(string());
    else if (literal("true")) v = Json(true);
    else if (literal("false")) v = Json(false);
    else if (literal("null")) v = Json();
    else if (c == '-' || (c >= '0' && c <= '9')) v = number();
    else error(c ? std::string("unexpected character '") + c + "'" : "unexpected end of input");
    --depth_;
    return v;
  }

  Json object() {
    expect('{');
    Json obj = Json::object();
    if (peek() == '}') { ++pos_; return obj; }
    while (true) {
      if (peek() != '"') error("expected a string key");
      std::string key = string();
      expect(':');
      obj[key] = value();
      const char c = peek();
      if (c == ',') { ++pos_; continue; }
      if (c == '}') { ++pos_; return obj; }
      error("expected ',' or '}'");
    }
  }

  Json array() {
    expect('[');
    Json arr = Json::array();
    if (peek() == ']') { ++pos_; return arr; }
    while (true) {
      arr.push_back(value());
      const char c = peek();
      if (c == ',') { ++pos_; continue; }
      if (c == ']') { ++pos_; return arr; }
      error("expected ',' or ']'");
    }
  }

  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12)); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18)); out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  unsigned hex4() {
    if (pos_ + 4 > s_.size()) error("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else error("bad \\u escape");
    }
    return v;
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) error("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) error("control character in string");
      if (c != '\\') { out += c; continue; }
      if (pos_ >= s_.size()) error("unterminated string");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && literal("\\u")) {
            const unsigned lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default: error(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  Json number() {
    const size_t start = pos_;
    bool is_int = true;
    if (s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c >= '0' && c <= '9') { ++pos_; continue; }
      if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { is_int = false; ++pos_; continue; }
      break;
    }
    const std::string text(s_.substr(start, pos_ - start));
    char* end = nullptr;
    if (is_int) {
      errno = 0;
      const long long v = std::strtoll(text.c_str(), &end, 10);
      if (*end == '\0' && errno == 0) return Json(v);
    }
    const double d = std::strtod(text.c_str(), &end);
    if (*end != '\0' || text.empty() || text == "-") error("bad number '" + text + "'");
    return Json(d);
  }

  std::string_view s_;
  const std::string& src_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Json Json::parse(std::string_view text, const std::string& source) { return Parser(text, source).parse_document(); }

JsonlWriter::JsonlWriter(std::string path) : path_(std::move(path)) {}

void JsonlWriter::write(const Json& row) const {
  if (path_.empty()) return;
  std::FILE* f = std::fopen(path_.c_str(), "ab");
  if (!f) throw Error("cannot append to " + path_);
  const std::string line = row.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), f);
  std::fclose(f);
}

}  // namespace ddm
