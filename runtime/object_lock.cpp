#include "runtime/object_lock.hpp"

#include <fmt/format.h>

namespace lockstep::detail {

const char* to_string(ObjectKind kind) noexcept {
  switch (kind) {
    case ObjectKind::mutex: return "mutex";
    case ObjectKind::rwmutex: return "rwmutex";
    case ObjectKind::cond: return "cond";
    case ObjectKind::waitgroup: return "waitgroup";
    case ObjectKind::once: return "once";
    case ObjectKind::semaphore: return "semaphore";
  }
  return "object";
}

bool Owner::check_slow(const Waitable& object, std::uint64_t held, std::uint64_t me,
                       SourceLocation where) {
  if ((held & kBuried) != 0) {
    if (current_runtime()->tearing_down()) return false;
    // The object is dead: name it from the tombstone, never through its
    // (destroyed) virtual describe().
    auto kind = static_cast<ObjectKind>((held & ~(kBuried | kGlobalId)) >> kKindShift);
    fail_misuse(fmt::format("use of {} #{}{} after it was destroyed (a task outlived the scope "
                            "that owned it)",
                            to_string(kind), (held & kGlobalId) != 0 ? "g" : "", held & kIdMask),
                nullptr, where);
  }
  std::uint64_t threads = real_runtime().identity();
  const char* what = permanent_ && me == threads
                         ? "use from a real thread of an object that belongs to a simulation"
                     : permanent_ ? "use of an object that belongs to another simulation"
                     : held == threads ? "use of an object that a thread outside any simulation is using"
                     : Runtime::is_live(held)
                         ? "use of an object that another runtime is using at the same time"
                         : "use of an object left in use by a simulation that has ended";
  fail_misuse(what, &object, where);
}

bool Owner::try_bind() noexcept {
  std::uint64_t me = current_runtime()->identity();
  std::uint64_t held = owner_.load(std::memory_order_acquire);
  if (held == me) return true;
  return held == 0 && !permanent_ && (owner_.compare_exchange_strong(held, me) || held == me);
}

}  // namespace lockstep::detail
