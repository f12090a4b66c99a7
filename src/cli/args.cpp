// Args (see args.h).
#include "cli/args.h"

#include <algorithm>
#include <iostream>

#include "util/error.h"
#include "util/log.h"

namespace ddm::cli {

Args::Args(std::string command, std::string summary, bool uses_config, std::string positional)
    : command_(std::move(command)),
      uses_config_(uses_config),
      positional_(std::move(positional)),
      opts_("ddm " + command_, summary) {
  opts_.add_options()("h,help", "show this help")("q,quiet", "log warnings and errors only")("v,verbose",
                                                                                             "log debug messages too");
  if (uses_config_) {
    opts_.add_options()("c,config", "YAML config file (see configs/)", cxxopts::value<std::string>())(
        "s,set", "override a config key: --set key.path=value (repeatable)",
        cxxopts::value<std::vector<std::string>>());
  }
  if (!positional_.empty()) {
    opts_.add_options()("positional", "", cxxopts::value<std::vector<std::string>>());
    opts_.parse_positional({"positional"});
    opts_.positional_help(positional_);
  }
}

cxxopts::OptionAdder Args::add() { return opts_.add_options(); }

void Args::key_flags(std::vector<std::pair<std::string, std::string>> flags) {
  for (const auto& [flag, key] : flags) {
    const auto& fields = config_fields();
    const auto it = std::find_if(fields.begin(), fields.end(), [&](const ConfigField& f) { return f.key == key; });
    require(it != fields.end(), "ddm {}: --{} names the unknown config key {}", command_, flag, key);
    opts_.add_options()(flag, format("{} ({}; {})", it->help, it->type_name, key), cxxopts::value<std::string>());
  }
  key_flags_.insert(key_flags_.end(), flags.begin(), flags.end());
}

bool Args::parse(const std::vector<std::string>& argv) {
  std::vector<const char*> cargv{"ddm"};
  for (const auto& a : argv) cargv.push_back(a.c_str());
  try {
    result_ = opts_.parse(static_cast<int>(cargv.size()), cargv.data());
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(format("ddm {}: {} (see ddm {} --help)", command_, e.what(), command_));
  }
  if (result_->count("help")) {
    std::cout << opts_.help({""});
    if (uses_config_) std::cout << "\nConfig keys (YAML sections, or --set key=value):\n" << describe_config_fields();
    return false;
  }
  if (result_->count("quiet")) log::set_level(log::Level::kWarn);
  if (result_->count("verbose")) log::set_level(log::Level::kDebug);
  if (positional_.empty() && result_->unmatched().size() > 0)
    throw UsageError(format("ddm {}: unexpected argument '{}'", command_, result_->unmatched()[0]));
  return true;
}

bool Args::has(const std::string& name) const { return result_->count(name) > 0; }

std::vector<std::string> Args::positional() const {
  if (positional_.empty() || !result_->count("positional")) return {};
  return (*result_)["positional"].as<std::vector<std::string>>();
}

Config Args::config() const {
  const std::string path = has("config") ? get<std::string>("config") : "";
  const auto sets = has("set") ? get<std::vector<std::string>>("set") : std::vector<std::string>{};
  Config cfg = load_config(path, sets);
  for (const auto& [flag, key] : key_flags_)
    if (has(flag)) apply_override(cfg, key + "=" + get<std::string>(flag));
  if (!key_flags_.empty()) validate(cfg);  // the cross-field checks see the flags too
  return cfg;
}

}  // namespace ddm::cli
