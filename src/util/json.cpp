// Error messages around nlohmann-json's parser, and the metrics.jsonl writer (see json.h).
#include "util/json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/error.h"
#include "util/format.h"
#include "util/fs.h"

namespace ddm {

std::string json_error(const std::exception& e) {
  const std::string what = e.what();
  if (what.rfind("[json.exception.", 0) != 0) return what;
  const size_t end = what.find("] ");
  return end == std::string::npos ? what : what.substr(end + 2);
}

Json parse_json(std::string_view text, const std::string& source) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.byte counts from 1 and points at the character that failed (one past the end when
    // the text stopped early).
    const size_t at = std::min(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const std::string_view before = text.substr(0, at);
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t nl = before.rfind('\n');
    const size_t column = at - (nl == std::string_view::npos ? 0 : nl + 1) + 1;
    std::string what = json_error(e);
    const size_t colon = what.find(": ");  // drop nlohmann's own "parse error at line 3, column 7"
    if (what.rfind("parse error", 0) == 0 && colon != std::string::npos) what = what.substr(colon + 2);
    fail("{}:{}:{}: invalid JSON: {}", source, line, column, what);
  } catch (const Json::exception& e) {  // out_of_range: a number beyond double's range
    fail("{}: invalid JSON: {}", source, json_error(e));
  }
}

Json read_json(const std::string& path) { return parse_json(read_file(path), path); }

JsonlWriter::JsonlWriter(std::string path) : path_(std::move(path)) {}

void JsonlWriter::write(const Json& row) const {
  if (path_.empty()) return;
  std::FILE* f = std::fopen(path_.c_str(), "ab");
  if (!f) throw Error("cannot append to " + path_);
  const std::string line = row.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), f);
  std::fclose(f);
}

int64_t json_int(const Json& j) {
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail("expected an integer, got {}", j.dump());
    return j.get<int64_t>();
  }
  if (j.is_number_float()) {
    const double v = j.get<double>();
    // 2^63 is the first double above int64's range; -2^63 is inside it.
    if (std::isfinite(v) && v == std::floor(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0)
      return static_cast<int64_t>(v);
  }
  fail("expected an integer, got {}", j.dump());
}

std::vector<int64_t> json_ints(const Json& j) {
  if (!j.is_array()) fail("expected an array of integers, got {}", j.dump());
  std::vector<int64_t> out;
  out.reserve(j.size());
  for (const Json& v : j) out.push_back(json_int(v));
  return out;
}

}  // namespace ddm
