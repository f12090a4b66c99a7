// Typed run configuration. Each field is declared exactly once, in the X-macro list of its
// section (config/<section>_config.h: type, name, default, check, help); the same lists generate
// the structs, the field table that reads YAML and `--set key.path=value`, the validation and the
// resolved-config dump. Precedence: defaults < YAML file < command line. Code that needs one
// section includes only that section's header; code that takes a whole Config by reference
// forward-declares it (config/config_fwd.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/config_fwd.h"
#include "config/data_config.h"
#include "config/diffusion_config.h"
#include "config/dist_config.h"
#include "config/eval_config.h"
#include "config/model_config.h"
#include "config/router_config.h"
#include "config/run_config.h"
#include "config/sample_config.h"
#include "config/shards_config.h"
#include "config/train_config.h"
#include "util/json.h"

namespace ddm {

// One section per line (clang-format would join them into an unstable layout).
// clang-format off
#define DDM_CONFIG_SECTIONS(S)                         \
  S(data, DataConfig, DDM_DATA_FIELDS)                 \
  S(shards, ShardsConfig, DDM_SHARDS_FIELDS)           \
  S(diffusion, DiffusionConfig, DDM_DIFFUSION_FIELDS)  \
  S(model, ModelConfig, DDM_MODEL_FIELDS)              \
  S(train, TrainConfig, DDM_TRAIN_FIELDS)              \
  S(router, RouterConfig, DDM_ROUTER_FIELDS)           \
  S(sample, SampleConfig, DDM_SAMPLE_FIELDS)           \
  S(eval, EvalConfig, DDM_EVAL_FIELDS)                 \
  S(run, RunConfig, DDM_RUN_FIELDS)                    \
  S(dist, DistConfig, DDM_DIST_FIELDS)
// clang-format on

struct Config {
  std::string name = "default";  // the config file's stem; names the default run folder
  std::string source;            // the YAML file it came from ("" for defaults)
#define DDM_DECLARE_SECTION(sec, Type, FIELDS) Type sec;
  DDM_CONFIG_SECTIONS(DDM_DECLARE_SECTION)
#undef DDM_DECLARE_SECTION

  std::string run_dir() const;  // run.dir, or runs/<name>
};

// One row of the field table.
struct ConfigField {
  std::string key;        // "data.path"
  std::string type_name;  // "int", "path", "one of: a, b"
  std::string help;
  std::function<void(Config&, const std::string&)> set;  // parses and range-checks; throws Error
  std::function<Json(const Config&)> get;                // the value (strings, numbers, lists)
};

const std::vector<ConfigField>& config_fields();

// Defaults, then the YAML file (if `path` is not empty), then each "key.path=value" override.
// Errors name the file:line and key path, or the --set argument.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
void apply_override(Config& cfg, const std::string& assignment);
// Cross-field checks (run after all sources are applied).
void validate(const Config& cfg);
// The resolved configuration as YAML with each field's help as a comment.
std::string dump_config(const Config& cfg);
// Writes <dir>/config.yaml atomically (every run records what it ran with).
void write_resolved_config(const Config& cfg, const std::string& dir);
// The configuration as nested JSON ({"data": {...}, ...}) for checkpoints and summaries, and back
// (keys unknown to this version are errors naming `source`).
Json config_to_json(const Config& cfg);
Config config_from_json(const Json& j, const std::string& source);
// "  data.path (path, default ...): help" lines for `ddm <command> --help`.
std::string describe_config_fields();

}  // namespace ddm
