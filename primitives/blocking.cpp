#include "primitives/internal/blocking.hpp"

#include <fmt/format.h>

namespace lockstep::detail {

std::string to_string(TaskRef t) { return fmt::format("{} {}", t.kind, t.id); }

}  // namespace lockstep::detail
