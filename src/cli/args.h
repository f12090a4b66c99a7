// Command-line parsing shared by every command: --config FILE, repeated --set key.path=value,
// -q/-v, --help (which also lists the config keys). Built on cxxopts.
#pragma once
// Commas belong inside values ("--set model.channel_mult=1,2,2"), so vectors split on 0x1f.
#define CXXOPTS_VECTOR_DELIMITER '\x1f'
#include <cxxopts.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace ddm::cli {

class Args {
 public:
  // `positional` names the command's positional argument ("" for none).
  Args(std::string command, std::string summary, bool uses_config = true, std::string positional = "");
  cxxopts::OptionAdder add();
  // Flags that are shorthands for config keys, declared once as {flag, key}: each takes a value,
  // its help is the key's own (type, choices, meaning) from the config table, and config()
  // applies every given one as --set key=value (after the --set overrides).
  void key_flags(std::vector<std::pair<std::string, std::string>> flags);
  // Parses and applies -q/-v. Returns false when --help was printed (the command then exits 0).
  bool parse(const std::vector<std::string>& argv);
  bool has(const std::string& name) const;
  template <class T>
  T get(const std::string& name) const {
    return (*result_)[name].as<T>();
  }
  std::vector<std::string> positional() const;
  // Defaults < --config YAML < --set overrides.
  Config config() const;

 private:
  std::string command_;
  bool uses_config_;
  std::string positional_;
  std::vector<std::pair<std::string, std::string>> key_flags_;
  cxxopts::Options opts_;
  std::optional<cxxopts::ParseResult> result_;
};

}  // namespace ddm::cli
