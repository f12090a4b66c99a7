// The field table (generated from config.h's X-macros), YAML and --set parsing, validation and
// the resolved-config dump.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm {
namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

template <class T>
T parse_number(const std::string& raw, const char* what) {
  const std::string s = trim(raw);
  T v{};
  if constexpr (std::is_floating_point_v<T>) {
    // from_chars for double does not take "1e-4" with a leading '+', nor "inf": strtod does.
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v)) fail("expected {}, got '{}'", what, raw);
  } else {
    // Allow "1e5"-style integers as YAML users write them, when exact.
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) {
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      const bool fits = d >= static_cast<double>(std::numeric_limits<T>::min()) &&
                        d <= static_cast<double>(std::numeric_limits<T>::max());
      if (s.empty() || *end != '\0' || d != std::floor(d) || std::fabs(d) > 9e15 || !fits)
        fail("expected {}, got '{}'", what, raw);
      v = static_cast<T>(d);
    }
  }
  return v;
}

std::vector<std::string> split_list(const std::string& raw) {
  std::string s = trim(raw);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  std::vector<std::string> parts;
  if (trim(s).empty()) return parts;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) parts.push_back(trim(item));
  return parts;
}

void parse_value(const std::string& s, int& out) { out = parse_number<int>(s, "an integer"); }
void parse_value(const std::string& s, int64_t& out) { out = parse_number<int64_t>(s, "an integer"); }
void parse_value(const std::string& s, double& out) { out = parse_number<double>(s, "a number"); }
void parse_value(const std::string& s, std::string& out) { out = s; }
void parse_value(const std::string& raw, bool& out) {
  const std::string s = to_lower(trim(raw));
  if (s == "true" || s == "yes" || s == "on" || s == "1")
    out = true;
  else if (s == "false" || s == "no" || s == "off" || s == "0")
    out = false;
  else
    fail("expected true or false, got '{}'", raw);
}
void parse_value(const std::string& s, IntList& out) {
  out.clear();
  for (const auto& p : split_list(s)) out.push_back(parse_number<int>(p, "a list of integers"));
}
[[maybe_unused]] void parse_value(const std::string& s, DoubleList& out) {  // no list-of-numbers field today
  out.clear();
  for (const auto& p : split_list(s)) out.push_back(parse_number<double>(p, "a list of numbers"));
}
void parse_value(const std::string& raw, AutoDouble& out) {
  if (to_lower(trim(raw)) == "auto")
    out = AutoDouble::automatic();
  else
    out = AutoDouble::of(parse_number<double>(raw, "a number or auto"));
}
template <NamedEnum E>
void parse_value(const std::string& s, E& out) {
  if (!try_parse_enum(trim(s), out)) fail("bad value '{}' (valid: {})", trim(s), enum_choices<E>());
}

void check_range(double v, const Range& r) {
  if (v < r.lo || v > r.hi) {
    if (r.hi == std::numeric_limits<double>::infinity())
      fail("value {} must be {} {}", v, r.lo == 0 ? ">=" : ">", r.lo == 1e-300 ? 0.0 : r.lo);
    fail("value {} out of range [{}, {}]", v, r.lo, r.hi);
  }
}
template <class T>
void check(const T& v, const Range& r) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) check_range(static_cast<double>(v), r);
  if constexpr (std::is_same_v<T, AutoDouble>)
    if (!v.is_auto) check_range(v.value, r);
  if constexpr (std::is_same_v<T, IntList> || std::is_same_v<T, DoubleList>)
    for (const auto x : v) check_range(static_cast<double>(x), r);
}

template <class T>
Json to_json(const T& v) {
  if constexpr (NamedEnum<T>)
    return Json(to_string(v));
  else if constexpr (std::is_same_v<T, AutoDouble>)
    return v.is_auto ? Json("auto") : Json(v.value);
  else
    return Json(v);
}

template <class T>
std::string type_name() {
  if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t>)
    return "int";
  else if constexpr (std::is_same_v<T, double>)
    return "float";
  else if constexpr (std::is_same_v<T, bool>)
    return "bool";
  else if constexpr (std::is_same_v<T, std::string>)
    return "string";
  else if constexpr (std::is_same_v<T, IntList>)
    return "list of int";
  else if constexpr (std::is_same_v<T, DoubleList>)
    return "list of float";
  else if constexpr (std::is_same_v<T, AutoDouble>)
    return "float or auto";
  else
    return "one of: " + enum_choices<T>(" | ");
}

template <class T>
ConfigField make_field(std::string key, std::string help, Range range, std::function<T&(Config&)> access) {
  ConfigField f;
  f.key = std::move(key);
  f.help = std::move(help);
  f.type_name = type_name<T>();
  f.set = [access, range](Config& c, const std::string& text) {
    T v{};
    parse_value(text, v);
    check(v, range);
    access(c) = std::move(v);
  };
  f.get = [access](const Config& c) { return to_json(access(const_cast<Config&>(c))); };
  return f;
}

std::vector<ConfigField> build_table() {
  std::vector<ConfigField> t;
#define DDM_ROW(type, name, def, check, help) \
  t.push_back(make_field<type>(prefix + #name, help, check, [section](Config& c) -> type& { return section(c).name; }));
#define DDM_SECTION_ROWS(sec, Type, FIELDS)                  \
  {                                                          \
    auto section = [](Config& c) -> Type& { return c.sec; }; \
    const std::string prefix = #sec ".";                     \
    FIELDS(DDM_ROW)                                          \
  }
  DDM_CONFIG_SECTIONS(DDM_SECTION_ROWS)
#undef DDM_SECTION_ROWS
#undef DDM_ROW
  return t;
}

// Keys renamed after files were written with them: old name -> new name, whose values include
// the old ones (sample.clip_denoised's true/false are sample.clip_x0's on/off).
const std::string& current_key(const std::string& key) {
  static const std::vector<std::pair<std::string, std::string>> renamed = {{"sample.clip_denoised", "sample.clip_x0"}};
  for (const auto& [old_key, new_key] : renamed)
    if (key == old_key) return new_key;
  return key;
}

// Keys removed after files were written with them. A resolved config.yaml lists every key, so an
// old run's file still loads when it holds the one value that survived; any other value is an
// error that says what replaced it. Not listed in `config_fields()`: help and dumps omit them.
const std::vector<ConfigField>& retired_fields() {
  struct Retired {
    const char *key, *kept, *why;
  };
  static const Retired rows[] = {
      {"router.derivative", "logit",
       "the raw d alpha/dt head was removed (it lost to the logit head: docs/results/routers.md); "
       "MoG-da always predicts the logit velocity"},
      {"router.deriv_weights", "alpha",
       "the mixed weights were removed (they lost to alpha: docs/results/derivative_routers.md); "
       "the logit-velocity error is always weighted by the exact alpha"},
  };
  static const std::vector<ConfigField> table = [] {
    std::vector<ConfigField> t;
    for (const Retired& r : rows)
      t.push_back({r.key, "retired", r.why,
                   [r](Config&, const std::string& v) {
                     if (trim(v) != r.kept) fail("{} is retired: {}", trim(v), r.why);
                   },
                   [](const Config&) { return Json(); }});
    return t;
  }();
  return table;
}

const ConfigField* find_field(const std::string& key) {
  const std::string& name = current_key(key);
  for (const auto& f : config_fields())
    if (f.key == name) return &f;
  for (const auto& f : retired_fields())
    if (f.key == name) return &f;
  return nullptr;
}

bool is_section(const std::string& key) {
  for (const auto& f : config_fields())
    if (f.key.rfind(key + ".", 0) == 0) return true;
  return false;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string unknown_key_message(const std::string& key) {
  std::string best;
  size_t best_d = 4;
  for (const auto& f : config_fields()) {
    const size_t d = edit_distance(key, f.key);
    if (d < best_d) {
      best_d = d;
      best = f.key;
    }
  }
  return best.empty() ? format("unknown key '{}'", key) : format("unknown key '{}' (did you mean {}?)", key, best);
}

std::string yaml_leaf_text(const YAML::Node& v) {
  if (v.IsNull()) return "";
  if (v.IsScalar()) return v.Scalar();
  std::string out;  // a sequence of scalars becomes "a,b,c"
  for (const auto& e : v) {
    if (!e.IsScalar()) throw Error("expected a list of plain values");
    out += (out.empty() ? "" : ",") + e.Scalar();
  }
  return out;
}

void apply_yaml(Config& cfg, const YAML::Node& node, const std::string& prefix, const std::string& file,
                std::set<std::string>& seen) {
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string full = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node& v = kv.second;
    const std::string where = format("{}:{}", file, kv.first.Mark().line + 1);
    if (!seen.insert(full).second) fail("{}: duplicate key '{}'", where, full);
    if (v.IsMap()) {
      if (!is_section(full)) fail("{}: {}", where, unknown_key_message(full));
      apply_yaml(cfg, v, full, file, seen);
      continue;
    }
    const ConfigField* f = find_field(full);
    if (!f) {
      if (is_section(full)) fail("{}: '{}' is a section and needs a mapping of keys", where, full);
      fail("{}: {}", where, unknown_key_message(full));
    }
    try {
      f->set(cfg, yaml_leaf_text(v));
    } catch (const Error& e) {
      fail("{}: {}: {}", where, full, e.what());
    }
  }
}

}  // namespace

const std::vector<ConfigField>& config_fields() {
  static const std::vector<ConfigField> table = build_table();
  return table;
}

std::string Config::run_dir() const { return run.dir.empty() ? "runs/" + name : run.dir; }

void apply_override(Config& cfg, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos) fail("--set {}: expected key.path=value", assignment);
  const std::string key = trim(assignment.substr(0, eq));
  const ConfigField* f = find_field(key);
  if (!f) fail("--set {}: {}", assignment, unknown_key_message(key));
  try {
    f->set(cfg, assignment.substr(eq + 1));
  } catch (const Error& e) {
    fail("--set {}: {}", assignment, e.what());
  }
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  Config cfg;
  if (!path.empty()) {
    const std::string text = read_file(path);
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      fail("{}:{}: YAML syntax error: {}", path, e.mark.line + 1, e.msg);
    }
    if (!root.IsNull() && !root.IsMap()) fail("{}: expected a mapping of sections (data:, train:, ...)", path);
    std::set<std::string> seen;
    if (root.IsMap()) apply_yaml(cfg, root, "", path, seen);
    cfg.name = file_stem(path);
    cfg.source = path;
  }
  for (const auto& o : overrides) apply_override(cfg, o);
  validate(cfg);
  return cfg;
}

namespace {

// The data-free targets give labels only: the kinds that learn d alpha/dt need the exact
// posterior's derivative (design.md section 4c).
void validate_router_targets(const RouterConfig& rc, const std::string& src) {
  if (rc.targets != RouterTargets::kExact && rc.kind != RouterKind::kMogA)
    fail(
        "{}: router.kind={} learns d alpha/dt from the exact posterior's derivative, which router.targets={} "
        "does not give: set router.targets=exact (--targets exact)",
        src, to_string(rc.kind), to_string(rc.targets));
  if (rc.federated && rc.targets != RouterTargets::kLabels)
    fail(
        "{}: router.federated needs router.targets=labels (each party holds only its own data: no pooled exact "
        "posterior, no experts' samples), got router.targets={}",
        src, to_string(rc.targets));
}

}  // namespace

void validate(const Config& cfg) {
  const std::string src = cfg.source.empty() ? "config" : cfg.source;
  if (cfg.data.dataset == DatasetKind::kImageFolder && cfg.data.resolution <= 0)
    fail("{}: data.resolution must be set (> 0) for an image-folder data set", src);
  if (!cfg.data.attribute.empty() && cfg.data.labels.empty())
    fail("{}: data.attribute needs data.labels (the attribute table)", src);
  if (cfg.shards.balanced && cfg.shards.method != ShardMethod::kKmeans)
    fail("{}: shards.balanced applies to shards.method=kmeans only", src);
  if (!cfg.shards.features.empty() && cfg.shards.method != ShardMethod::kKmeans)
    fail("{}: shards.features applies to shards.method=kmeans only", src);
  if (cfg.shards.method == ShardMethod::kCounts && static_cast<int>(cfg.shards.counts.size()) != cfg.shards.k)
    fail("{}: shards.method=counts needs one count per shard in shards.counts: {} given, shards.k = {}", src,
         cfg.shards.counts.size(), cfg.shards.k);
  if (!cfg.shards.counts.empty() && cfg.shards.method != ShardMethod::kCounts)
    fail("{}: shards.counts applies to shards.method=counts only", src);
  validate_router_targets(cfg.router, src);
  if (cfg.model.channel_mult.empty()) fail("{}: model.channel_mult must list at least one level", src);
  if (cfg.model.channels % cfg.model.groups != 0)
    fail("{}: model.channels ({}) must be a multiple of model.groups ({})", src, cfg.model.channels, cfg.model.groups);
  const AutoDouble t1 = cfg.router.t1, t2 = cfg.router.t2;
  if (t1.is_auto != t2.is_auto) fail("{}: router.t1 and router.t2 are both auto or both numbers", src);
  if (!t1.is_auto && !(cfg.diffusion.t_min < t1.value && t1.value < t2.value && t2.value < 1))
    fail("{}: router interval bounds must satisfy diffusion.t_min < router.t1 < router.t2 < 1, got {} < {} < {} < 1",
         src, cfg.diffusion.t_min, t1.value, t2.value);
  if (cfg.diffusion.beta_max <= cfg.diffusion.beta_min)
    fail("{}: diffusion.beta_max ({}) must exceed diffusion.beta_min ({})", src, cfg.diffusion.beta_max,
         cfg.diffusion.beta_min);
}

std::string dump_config(const Config& cfg) {
  std::string out = "# ddm resolved configuration";
  out += cfg.source.empty() ? " (defaults)\n" : " (from " + cfg.source + ")\n";
  std::string section;
  for (const auto& f : config_fields()) {
    const size_t dot = f.key.find('.');
    const std::string sec = f.key.substr(0, dot);
    if (sec != section) {
      out += sec + ":\n";
      section = sec;
    }
    out += "  " + f.key.substr(dot + 1) + ": " + f.get(cfg).dump() + "  # " + f.help + "\n";  // JSON is YAML
  }
  return out;
}

void write_resolved_config(const Config& cfg, const std::string& dir) {
  ensure_writable_dir(dir);
  Config resolved = cfg;
  resolved.run.dir = cfg.run_dir();  // record where the run really went
  atomic_write(path_join(dir, "config.yaml"), dump_config(resolved));
}

Json config_to_json(const Config& cfg) {
  Json out = Json::object();
  out["name"] = cfg.name;
  for (const auto& f : config_fields()) {
    const size_t dot = f.key.find('.');
    out[f.key.substr(0, dot)][f.key.substr(dot + 1)] = f.get(cfg);
  }
  return out;
}

namespace {

// A field's text as --set would give it: lists as "a,b,c", strings bare, numbers as written.
std::string json_field_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_array()) return value.dump();
  std::string text;
  for (size_t i = 0; i < value.size(); ++i) text += (i ? "," : "") + value[i].dump();
  return text;
}

}  // namespace

Config config_from_json(const Json& j, const std::string& source) {
  Config cfg;
  try {
    for (const auto& [sec, fields] : j.items()) {
      if (sec == "name") {
        cfg.name = fields.get<std::string>();
        continue;
      }
      for (const auto& [key, value] : fields.items()) {
        const std::string full = sec + "." + key;
        const ConfigField* f = find_field(full);
        if (!f) fail("{}: {}", source, unknown_key_message(full));
        try {
          f->set(cfg, json_field_text(value));
        } catch (const Error& e) {
          fail("{}: {}: {}", source, full, e.what());
        }
      }
    }
  } catch (const Json::exception& e) {  // a value of the wrong JSON type
    fail("{}: {}", source, json_error(e));
  }
  cfg.source = source;
  return cfg;
}

std::string describe_config_fields() {
  const Config defaults;
  std::string out;
  for (const auto& f : config_fields())
    out += format("  {:<28} {} (default {}): {}\n", f.key, f.type_name, f.get(defaults).dump(), f.help);
  return out;
}

}  // namespace ddm
