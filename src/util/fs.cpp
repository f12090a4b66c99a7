// Implementation of fs.h.
#include "util/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "util/error.h"

namespace fs = std::filesystem;

namespace ddm {

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail("cannot read {}: {}", path, std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  const bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) fail("error reading {}", path);
  return data;
}

void atomic_write_with(const std::string& path, const std::function<void(std::FILE*)>& writer) {
  const fs::path target(path);
  if (target.has_parent_path()) ensure_writable_dir(target.parent_path().string());
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail("cannot write {}: {}", tmp, std::strerror(errno));
  try {
    writer(f);
  } catch (...) {
    std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
  const bool ok = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0 && !std::ferror(f);
  const int saved = errno;
  std::fclose(f);
  if (!ok) {
    std::remove(tmp.c_str());
    fail("cannot write {}: {}", path, std::strerror(saved));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    fail("cannot rename {} to {}: {}", tmp, path, std::strerror(e));
  }
}

void atomic_write(const std::string& path, std::string_view bytes) {
  atomic_write_with(path, [&](std::FILE* f) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
      fail("cannot write {}: {}", path, std::strerror(errno));
  });
}

void ensure_writable_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create output folder {}: {}", dir, ec.message());
  if (!fs::is_directory(dir)) fail("output folder {} is not a folder", dir);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) fail("output folder {} is not writable: {}", dir, std::strerror(errno));
}

bool path_exists(const std::string& path) { return fs::exists(path); }
bool is_directory(const std::string& path) { return fs::is_directory(path); }

int64_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  if (ec) fail("cannot stat {}: {}", path, ec.message());
  return static_cast<int64_t>(n);
}

std::string path_join(const std::string& a, const std::string& b) { return (fs::path(a) / b).string(); }

std::string file_stem(const std::string& path) { return fs::path(path).stem().string(); }

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + 1)
    out.push_back(s.substr(start, at - start));
  out.push_back(s.substr(start));
  return out;
}

}  // namespace ddm
