#include "runtime/seam.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>
#include <cstring>
#include <exception>

#include "runtime/source_location.hpp"

namespace lockstep {

bool same_site(const SourceLocation& a, const SourceLocation& b) noexcept {
  return a.line() == b.line() &&
         (a.file_name() == b.file_name() || std::strcmp(a.file_name(), b.file_name()) == 0);
}

}  // namespace lockstep

namespace lockstep::detail {

namespace {

// The identities of the runtimes that exist now; only read when an object
// is found bound to another runtime, to say which case it is.
struct LiveRuntimes {
  std::mutex mutex;
  std::vector<std::uint64_t> ids;  // guarded by mutex
};
LiveRuntimes& live_runtimes() {
  static LiveRuntimes* live = new LiveRuntimes;  // outlives every runtime
  return *live;
}

std::uint64_t next_identity() noexcept {
  static std::atomic<std::uint64_t> counter{1};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

Runtime::Runtime() : identity_(next_identity()) {
  std::lock_guard lock(live_runtimes().mutex);
  live_runtimes().ids.push_back(identity_);
}

Runtime::~Runtime() {
  std::lock_guard lock(live_runtimes().mutex);
  std::erase(live_runtimes().ids, identity_);
}

bool Runtime::wait_for_live(std::size_t, std::chrono::steady_clock::time_point) { return false; }

void Runtime::leave_in_place() noexcept {
  // Only a simulation tears tasks down; reaching this is a bug in lockstep.
  std::terminate();
}

std::string describe_or_leave(const WaitSite& site, Unlock unlock) {
  if (site.object == nullptr) return {};
  try {
    return site.object->describe();
  } catch (...) {
    unlock();
    site.leave();
    throw;
  }
}

bool Runtime::is_live(std::uint64_t identity) noexcept {
  std::lock_guard lock(live_runtimes().mutex);
  auto& ids = live_runtimes().ids;
  return std::find(ids.begin(), ids.end(), identity) != ids.end();
}

}  // namespace lockstep::detail
