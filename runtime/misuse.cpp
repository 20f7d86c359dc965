#include "runtime/misuse.hpp"

#include <fmt/format.h>

namespace lockstep::detail {

std::string describe_task(const Task& t) {
  return t.name.empty() ? fmt::format("{} {}", t.kind, t.id)
                        : fmt::format("{} {} \"{}\"", t.kind, t.id, t.name);
}

std::string describe_caller() { return describe_task(current_runtime()->current()); }

void fail_misuse(std::string_view what, const Waitable* object, SourceLocation where) {
  // A task being torn down may be unwinding: a throw would call
  // std::terminate. The run has its verdict; this task just stops here.
  Runtime& rt = *current_runtime();
  if (rt.tearing_down()) rt.leave_in_place();
  std::string on = object != nullptr ? fmt::format(" on {}", object->describe()) : std::string{};
  throw Misuse(fmt::format("lockstep: {}{} (in {}, at {}:{})", what, on, describe_caller(),
                           where.file_name(), where.line()));
}

}  // namespace lockstep::detail
