// What every config section header shares: the field types beyond the built-in ones, the
// range checks, and the macro that turns an X-macro field list into struct members. Each
// section (config/<section>_config.h) declares its fields exactly once; config/config.h gathers
// the sections into Config and the field table (YAML, --set, help, validation).
#pragma once
#include <limits>
#include <vector>

#include "config/enums.h"

namespace ddm {
using IntList = std::vector<int>;
using DoubleList = std::vector<double>;
// A number, or `auto` (computed when the run starts and recorded in its outputs).
struct AutoDouble {
  bool is_auto = true;
  double value = 0;
  static AutoDouble automatic() { return {}; }
  static AutoDouble of(double v) { return {false, v}; }
  bool operator==(const AutoDouble&) const = default;
};

// A field's check: numbers must lie in [lo, hi]; other types ignore it.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
};
inline constexpr Range kAny{};
inline constexpr Range kPositive{1e-300, std::numeric_limits<double>::infinity()};
inline constexpr Range kNonNegative{0, std::numeric_limits<double>::infinity()};
inline constexpr Range kUnit{0, 1};

}  // namespace ddm

// X(type, name, default, check, help) -> a member with its default.
#define DDM_DECLARE_FIELD(type, name, def, check, help) type name = def;
