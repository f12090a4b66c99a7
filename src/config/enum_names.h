// parse/to_string for every `enum class` choice: one name table per enum (EnumNames<E>), and a
// bad value's error lists the valid ones.
#pragma once
#include <string>
#include <string_view>
#include <utility>

#include "util/error.h"

namespace ddm {

template <class E>
struct EnumNames;  // specialised with: static constexpr std::pair<E, std::string_view> kNames[]

template <class E>
concept NamedEnum = requires {
  EnumNames<E>::kNames;
};

template <NamedEnum E>
std::string to_string(E e) {
  for (const auto& [v, name] : EnumNames<E>::kNames)
    if (v == e) return std::string(name);
  return "?";
}

// "a, b, c": what an error message offers.
template <NamedEnum E>
std::string enum_choices(std::string_view sep = ", ") {
  std::string out;
  for (const auto& [v, name] : EnumNames<E>::kNames) {
    if (!out.empty()) out += sep;
    out += name;
  }
  return out;
}

template <NamedEnum E>
bool try_parse_enum(std::string_view s, E& out) {
  for (const auto& [v, name] : EnumNames<E>::kNames)
    if (name == s) {
      out = v;
      return true;
    }
  return false;
}

// `what` names the key or flag ("sample.rule", "--rule").
template <NamedEnum E>
E parse_enum(std::string_view s, std::string_view what) {
  E e{};
  if (!try_parse_enum(s, e)) fail("{}: bad value '{}' (valid: {})", what, s, enum_choices<E>());
  return e;
}

}  // namespace ddm

// Declares the name table of enum E: DDM_ENUM_NAMES(Rule, {Rule::kSwitch, "switch"}, ...).
#define DDM_ENUM_NAMES(E, ...)                                                \
  template <>                                                                 \
  struct ddm::EnumNames<E> {                                                  \
    static constexpr std::pair<E, std::string_view> kNames[] = {__VA_ARGS__}; \
  }
