// type_name<T>(): a readable name of T for dumps ("chan<Scan> #7"), taken
// from the compiler's pretty function signature (g++ and clang). Only used
// for display; nothing depends on its exact spelling.
#pragma once

#include <string_view>

namespace lockstep::detail {

template <class T>
constexpr std::string_view type_name() {
  std::string_view f = __PRETTY_FUNCTION__;
#if defined(__clang__)
  constexpr std::string_view open = "[T = ";
  constexpr char close = ']';
#else
  constexpr std::string_view open = "[with T = ";
  constexpr char close = ';';
#endif
  auto start = f.find(open) + open.size();
  auto end = f.find(close, start);
  if (end == std::string_view::npos) end = f.rfind(']');
  return f.substr(start, end - start);
}

}  // namespace lockstep::detail
