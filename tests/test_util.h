// Helpers shared by the tests: temporary folders, writing files, running the ddm binary.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "util/error.h"

namespace ddm::test {

// A fresh folder under $TMPDIR, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ddm-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command, capturing its output and exit status.
inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  std::FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Runs the ddm binary with `args` (already shell-quoted where needed).
inline CommandResult run_ddm(const std::string& args) { return run_command(std::string(DDM_BINARY) + " " + args); }

inline bool python_has_numpy() {
  return std::string(DDM_TEST_PYTHON).size() > 0 &&
         run_command(std::string(DDM_TEST_PYTHON) + " -c 'import numpy'").status == 0;
}

// The message of the ddm::Error that `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Counts lines of text (the CLI's errors must be one line).
inline int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n + (!s.empty() && s.back() != '\n');
}

// Expects exit status `status` and output ending in exactly one "ddm: error: ..." line that
// contains `needle` (log lines may come before it; no stack trace or abort after it).
inline void expect_error(const test::CommandResult& r, int status, const std::string& needle) {
  EXPECT_EQ(r.status, status) << r.output;
  const size_t at = r.output.find("ddm: error: ");
  ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_TRUE(at == 0 || r.output[at - 1] == '\n') << r.output;
  const std::string line = r.output.substr(at);
  EXPECT_EQ(test::count_lines(line), 1) << r.output;
  EXPECT_NE(line.find(needle), std::string::npos) << r.output;
}

}  // namespace ddm::test
