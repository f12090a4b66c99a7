// A small JSON value: built and dumped for manifests, summaries and metrics.jsonl, parsed back
// for manifests and checkpoint headers. Objects keep insertion order so files diff cleanly.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddm {

class Json {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::kBool), int_(b) {}
  Json(int v) : type_(Type::kInt), int_(v) {}
  Json(long v) : type_(Type::kInt), int_(v) {}
  Json(long long v) : type_(Type::kInt), int_(v) {}
  Json(unsigned v) : type_(Type::kInt), int_(v) {}
  Json(unsigned long v) : type_(Type::kInt), int_(static_cast<int64_t>(v)) {}
  Json(unsigned long long v) : type_(Type::kInt), int_(static_cast<int64_t>(v)) {}
  Json(double v) : type_(Type::kDouble), double_(v) {}
  Json(float v) : type_(Type::kDouble), double_(v) {}
  Json(const char* s) : type_(Type::kString), string_(s) {}
  Json(std::string s) : type_(Type::kString), string_(std::move(s)) {}
  Json(std::string_view s) : type_(Type::kString), string_(s) {}
  template <class T>
  Json(const std::vector<T>& v) : type_(Type::kArray) {
    for (const auto& x : v) array_.emplace_back(x);
  }

  static Json array() { Json j; j.type_ = Type::kArray; return j; }
  static Json object() { Json j; j.type_ = Type::kObject; return j; }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kInt || type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Object access. operator[] inserts (turning null into an object); at() throws ddm::Error
  // naming the missing key; find() returns nullptr.
  Json& operator[](const std::string& key);
  const Json& at(const std::string& key) const;
  const Json* find(const std::string& key) const;
  const std::vector<std::pair<std::string, Json>>& items() const { return object_; }

  // Array access.
  void push_back(Json v);
  size_t size() const;
  const Json& operator[](size_t i) const { return array_.at(i); }
  const std::vector<Json>& elements() const { return array_; }

  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const;
  std::vector<int64_t> as_int_vector() const;

  // indent < 0: one line (metrics.jsonl); otherwise pretty-printed, but arrays of numbers stay
  // on one line so that shard indices do not take a line each.
  std::string dump(int indent = -1) const;
  // `source` names the file in error messages ("manifest.json:3:14: expected ',' ...").
  static Json parse(std::string_view text, const std::string& source = "<json>");

 private:
  void dump_to(std::string& out, int indent, int depth) const;
  Type type_ = Type::kNull;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<Json> array_;
  std::vector<std::pair<std::string, Json>> object_;
};

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
