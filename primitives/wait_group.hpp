// WaitGroup: Go's sync.WaitGroup, waits for a collection of tasks to finish.
//
//   lockstep::WaitGroup wg;
//   for (auto& zone : zones)
//     wg.go([&zone] { refresh(zone); });   // add(1); go(f); done() when f ends
//   wg.wait();                             // every refresh() has returned
//
//   add(delta)  adds delta (may be negative) to the counter; at zero, every
//               task in wait() is woken. Never blocks.
//   done()      add(-1).
//   wait()      blocks until the counter is zero; returns at once if it is.
//   wait(ctx)   the same, unless `ctx` is cancelled first: then it stops
//               waiting and returns ctx.err() (null: the counter reached
//               zero). A context already done returns its error at once, even
//               on a zero counter. A cancelled wait() does not count as
//               "woken" for the reuse check below.
//   go(f)       Go 1.25's WaitGroup.Go: add(1), then starts f as a goroutine
//               (lockstep::go, spawned at the caller's site) that calls done()
//               when f returns or throws. An exception escaping f still ends
//               the simulation with the exception verdict, as a panic ends a
//               Go program. go(name, f) names the goroutine for dumps.
// Every operation takes `where` last and starts with a scheduling point.
//
// Blocking: wait() and wait(ctx) park as "sync.WaitGroup.Wait" on "waitgroup #3 count=2",
// durably in a simulation; on real threads the thread sleeps.
//
// Misuse, as Go's panics:
//   "sync: negative WaitGroup counter"   add() or done() below zero (the
//                                        counter is left unchanged)
//   "WaitGroup is reused before previous Wait has returned"
//                                        add(n > 0) on a zero counter while
//                                        tasks woken from wait() have not
//                                        returned from it yet (Go detects it in
//                                        Wait; here the add() fails, so the
//                                        message names the culprit's site)
//
// Ownership: as Mutex (see mutex.hpp): a WaitGroup created outside any
// simulation binds to the one using it while its counter is non-zero or a
// wait() is in progress, as Go binds a WaitGroup on its first Add.
//
// Lifetime: a woken wait() still touches the group as it returns (to detect
// reuse), so the group must outlive every wait() on it, as in C++ generally;
// destroying it while tasks wait detaches them (see mutex.hpp). go() captures
// `this`: the group must outlive the goroutines it starts.
#pragma once

#include "primitives/context.hpp"

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "primitives/go.hpp"
#include "primitives/internal/sync_waiter.hpp"
#include "runtime/object_lock.hpp"

namespace lockstep {

class WaitGroup final : public detail::Describes<WaitGroup> {
 public:
  WaitGroup() noexcept;
  ~WaitGroup();
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // add() adds `delta` to the counter; at zero it wakes every waiter.
  void add(std::int64_t delta, SourceLocation where = SourceLocation::current());
  // done() decrements the counter.
  void done(SourceLocation where = SourceLocation::current()) { add(-1, where); }
  // wait() blocks until the counter is zero.
  void wait(SourceLocation where = SourceLocation::current());
  // wait(ctx) blocks until the counter is zero (returns null) or ctx is
  // cancelled (returns ctx.err()).
  [[nodiscard]] Error wait(const Context& ctx, SourceLocation where = SourceLocation::current());

  // go() runs f as a goroutine counted by this group.
  template <class F>
  void go(std::string name, F&& f, SourceLocation where = SourceLocation::current()) {
    static_assert(std::is_invocable_v<std::decay_t<F>&>, "WaitGroup::go(f): f must be callable with no arguments");
    add(1, where);
    try {
      lockstep::go(
          std::move(name),
          [this, where, f = std::forward<F>(f)]() mutable {
            struct Done {
              WaitGroup* group;
              SourceLocation where;
              ~Done() noexcept(false) { group->done(where); }
            } done{this, where};
            f();
          },
          where);
    } catch (...) {
      done(where);  // no goroutine was started (go() failed)
      throw;
    }
  }
  template <class F>
  void go(F&& f, SourceLocation where = SourceLocation::current()) {
    go(std::string{}, std::forward<F>(f), where);
  }

  // describe(): "waitgroup #3 count=2".
  std::string describe() const;

 private:
  bool idle_locked() const noexcept { return count_ == 0 && waiters_.empty() && woken_.empty(); }
  [[nodiscard]] Error wait_in(const Context* ctx, SourceLocation where);
  // park_queued() parks the caller, queued as `s` (guard_ held), releasing
  // guard_. `cancelled` is cancel()'s flag: a cancelled waiter is in no list,
  // so the group (which may be gone by then) is not touched again.
  void park_queued(detail::Runtime& rt, detail::SyncWaiter& s, const bool& cancelled,
                   SourceLocation where);
  // leave_park() is what park_queued() undoes if its park throws (teardown):
  // `s` leaves the queue, or the woken list (guard_ free; takes it).
  void leave_park(detail::SyncWaiter& s, bool cancelled);
  // cancel() is wait(ctx)'s cancellation: it unlinks a still-queued `s`, sets
  // `cancelled` and readies its task; it does nothing, returning false, if
  // `s` was already woken. A cancelled waiter does not join woken_ (it would
  // fail a legitimate add() as reuse). Never blocks.
  bool cancel(detail::SyncWaiter& s, bool& cancelled);

  detail::ObjectLock guard_;
  detail::Owner owner_;
  detail::WaitQueue waiters_;  // tasks in wait(). Guarded by guard_.
  std::int64_t count_ = 0;     // the counter. Guarded by guard_.
  detail::GrantedList woken_;  // woken from wait(), not returned yet. Guarded by guard_.
  const detail::ObjectId id_;
};

}  // namespace lockstep
