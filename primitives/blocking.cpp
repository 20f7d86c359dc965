#include "primitives/internal/blocking.hpp"

#include <fmt/format.h>

namespace lockstep::detail {

Runtime& blocking_runtime(const char* operation, const Waitable* object, SourceLocation where) {
  Runtime* rt = current_runtime();
  if (rt == nullptr)
    fail_misuse(fmt::format("{} would block outside a simulation: the real-thread runtime is not "
                            "available yet",
                            operation),
                object, where);
  return *rt;
}

}  // namespace lockstep::detail
