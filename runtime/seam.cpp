#include "runtime/seam.hpp"

#include <atomic>
#include <cstring>

#include "runtime/source_location.hpp"

namespace lockstep {

bool same_site(const SourceLocation& a, const SourceLocation& b) noexcept {
  return a.line() == b.line() &&
         (a.file_name() == b.file_name() || std::strcmp(a.file_name(), b.file_name()) == 0);
}

}  // namespace lockstep

namespace lockstep::detail {

std::uint64_t Runtime::next_identity() noexcept {
  static std::atomic<std::uint64_t> counter{1};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace lockstep::detail
