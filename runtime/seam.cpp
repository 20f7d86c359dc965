#include "runtime/seam.hpp"

#include <cstring>

#include "runtime/source_location.hpp"

namespace lockstep {

bool same_site(const SourceLocation& a, const SourceLocation& b) noexcept {
  return a.line() == b.line() &&
         (a.file_name() == b.file_name() || std::strcmp(a.file_name(), b.file_name()) == 0);
}

}  // namespace lockstep
