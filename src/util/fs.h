// File helpers whose errors name the file: whole-file reads, atomic writes (temporary file,
// fsync, rename: a crash leaves the old file or the new one, never half of one) and checked
// output folders.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ddm {

std::string read_file(const std::string& path);
void atomic_write(const std::string& path, std::string_view bytes);
// Streams the content through `writer` (called with the temporary file's FILE*).
void atomic_write_with(const std::string& path, const std::function<void(std::FILE*)>& writer);
// Creates `dir` (and parents) and checks that files can be created in it.
void ensure_writable_dir(const std::string& dir);
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
int64_t file_size(const std::string& path);
std::string path_join(const std::string& a, const std::string& b);
std::string file_stem(const std::string& path);  // "a/b/c.tar.gz" -> "c.tar"
std::string to_lower(std::string s);
// "a,b,,c" -> {"a", "b", "", "c"} (empty input: no items). Lists on the command line.
std::vector<std::string> split(const std::string& s, char sep);

}  // namespace ddm
