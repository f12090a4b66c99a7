// A small {}-style formatter. LibTorch bundles fmt 12 while Debian's spdlog is built on fmt 9,
// so no torch translation unit may include fmt or spdlog; this header is what they use instead.
// Supported: "{}" and "{:[<|>][width][.precision][f|e|g|d|x|s]}"; "{{" and "}}" escape braces.
#pragma once
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace ddm {
namespace detail {

void append_double(std::string& out, std::string_view spec, double v);
void append_int(std::string& out, std::string_view spec, long long v);
void append_uint(std::string& out, std::string_view spec, unsigned long long v);
void append_str(std::string& out, std::string_view spec, std::string_view v);

template <class T, class = void>
struct HasToString : std::false_type {};
template <class T>
struct HasToString<T, std::void_t<decltype(to_string(std::declval<const T&>()))>> : std::true_type {};

template <class T>
void append_arg(std::string& out, std::string_view spec, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    append_str(out, spec, v ? "true" : "false");
  } else if constexpr (std::is_floating_point_v<T>) {
    append_double(out, spec, static_cast<double>(v));
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    append_int(out, spec, static_cast<long long>(v));
  } else if constexpr (std::is_integral_v<T>) {
    append_uint(out, spec, static_cast<unsigned long long>(v));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    append_str(out, spec, std::string_view(v));
  } else if constexpr (HasToString<T>::value) {  // enums of config/enums.h, found by ADL
    append_str(out, spec, to_string(v));
  } else {
    std::ostringstream os;
    os << v;
    append_str(out, spec, os.str());
  }
}

using Appender = void (*)(std::string&, std::string_view, const void*);

template <class T>
void append_erased(std::string& out, std::string_view spec, const void* p) {
  append_arg(out, spec, *static_cast<const T*>(p));
}

std::string vformat(std::string_view fmt, const Appender* fns, const void* const* args, size_t n);

}  // namespace detail

template <class... Args>
std::string format(std::string_view fmt, const Args&... args) {
  if constexpr (sizeof...(Args) == 0) {
    return detail::vformat(fmt, nullptr, nullptr, 0);
  } else {
    const detail::Appender fns[] = {&detail::append_erased<Args>...};
    const void* ptrs[] = {static_cast<const void*>(&args)...};
    return detail::vformat(fmt, fns, ptrs, sizeof...(Args));
  }
}

// The text up to the first newline: a library's multi-line message (LibTorch appends a C++ trace)
// as one line of ddm's error.
inline std::string first_line(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

}  // namespace ddm
