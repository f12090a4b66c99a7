// Error messages around nlohmann-json's parser, and the metrics.jsonl writer (see json.h).
#include "util/json.h"

#include <algorithm>
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

}  // namespace ddm
