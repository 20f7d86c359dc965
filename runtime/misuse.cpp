#include "runtime/misuse.hpp"

#include <fmt/format.h>

namespace lockstep::detail {

std::string describe_caller() {
  Runtime* rt = current_runtime();
  if (rt == nullptr) return "a thread outside any simulation";
  const Task& t = rt->current();
  return fmt::format("fiber {} \"{}\"", t.id, t.name);
}

void fail_misuse(std::string_view what, const Waitable* object, SourceLocation where) {
  std::string on = object != nullptr ? fmt::format(" on {}", object->describe()) : std::string{};
  throw Misuse(fmt::format("lockstep: {}{} (in {}, at {}:{})", what, on, describe_caller(),
                           where.file_name(), where.line()));
}

}  // namespace lockstep::detail
