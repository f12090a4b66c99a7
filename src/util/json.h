// JSON for every file ddm writes and reads (manifests, checkpoint headers, metrics.jsonl,
// summaries): nlohmann-json's ordered_json, whose objects keep insertion order so files diff
// cleanly. What ddm adds: errors that name the file (and, for syntax, the line and column), and
// the append-only metrics.jsonl writer.
#pragma once
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ddm {

using Json = nlohmann::ordered_json;

// Parses `text`; a syntax error throws ddm::Error "<source>:<line>:<column>: invalid JSON: ...".
Json parse_json(std::string_view text, const std::string& source);
// The file at `path`, parsed (errors name the file).
Json read_json(const std::string& path);
// An exception's message without nlohmann's "[json.exception.type_error.302] " tag, so that a
// caller can prefix the file: "router.ddm: key 'k' not found".
std::string json_error(const std::exception& e);

// An integer from a file's JSON, checked: nlohmann's get<int64_t>() converts a float such as
// 1e100 with a static_cast, which is undefined behaviour (found by fuzz_manifest). Integers,
// and floats with an integral value inside int64's range, pass; anything else throws ddm::Error
// "expected an integer, got ...".
int64_t json_int(const Json& j);
std::vector<int64_t> json_ints(const Json& j);  // an array of them

// Appends one JSON object per line and flushes it (EDM's stats.jsonl): a crash loses nothing
// already written, and a resumed run appends to the same file.
class JsonlWriter {
 public:
  JsonlWriter() = default;
  explicit JsonlWriter(std::string path);
  void write(const Json& row) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ddm
