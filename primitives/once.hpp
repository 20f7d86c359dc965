// Once: Go's sync.Once, runs a function exactly once; and once_value(f),
// Go's sync.OnceValue.
//
//   lockstep::Once zone_once;             // a global works too
//   void ensure_zones() { zone_once.call([] { zones = load_zones(); }); }
//
//   auto config = lockstep::once_value([] { return parse(read_file()); });
//   const Config& c = config();            // parses on the first call only
//
//   call(f)  the first caller runs f. Callers that come while f runs block
//            until it has finished; every call after that returns at once
//            without running anything. When call() returns, f has finished.
//
// Exceptions: an f that throws counts as done, as in Go a panicking f counts
// as having run: the exception propagates to the caller that ran f only; the
// callers that waited for it, and all later ones, return normally and f
// never runs again. once_value() differs: each call rethrows the very
// exception f threw (the same object), as Go's OnceValue re-panics with the
// same value.
//
// Blocking: a caller waiting for f parks as "sync.Once.Do" on
// "once #3 running in fiber 4" (durably in a simulation). Go's goroutine dump
// shows "sync.Mutex.Lock" there, the mutex inside Once; lockstep names the
// Once. Every call starts with a scheduling point; a call on a done Once
// takes no lock.
//
// Misuse: call() from inside f on the same Once (Go deadlocks).
//
// Ownership: a Once created outside any simulation binds to a simulation
// only while f runs there or callers wait; a done Once is free for good, so a
// global Once (the zoneOnce of a service) serves every later simulation,
// which sees it done. A simulation torn down while its f runs (a deadlock,
// leak or other verdict) does not mark the Once done: the next simulation
// runs f again, from the start. Lifetime: destroying a Once while callers
// wait detaches them (see mutex.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "primitives/internal/sync_waiter.hpp"
#include "runtime/object_lock.hpp"
#include "runtime/race.hpp"

namespace lockstep {

class Once final : public detail::Describes<Once> {
 public:
  Once() noexcept;
  ~Once();
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // call() runs f if no call has run it yet; blocks while another call runs it.
  template <class F>
  void call(F&& f, SourceLocation where = SourceLocation::current()) {
    static_assert(std::is_invocable_v<F&&>, "Once::call(f): f must be callable with no arguments");
    detail::operation_point(where);
    // Race detector: f's return happens before every call() returns
    // (finish() releases the Once, these acquire it).
    if (done_.load(std::memory_order_acquire)) return detail::race_acquire(this);
    if (!begin(where)) return detail::race_acquire(this);  // done meanwhile, or waited for the runner
    try {
      std::forward<F>(f)();
    } catch (const detail::FiberCancelled&) {
      abandon();
      throw;
    } catch (...) {
      finish();
      throw;
    }
    finish();
  }

  // done() is true once f has run (returned or thrown).
  bool done() const noexcept { return done_.load(std::memory_order_acquire); }

  // describe(): "once #3 running in fiber 4", "once #3 done", "once #3 not run".
  std::string describe() const;
  // wait_edges() names the task running f, for the wait-for graph.
  void wait_edges(detail::WaitEdges& out) const;

 private:
  // begin() returns true if the caller must run f; false once f has run
  // (waiting for the runner first, if there is one).
  bool begin(SourceLocation where);
  // finish() marks the Once done and wakes the waiters.
  void finish() noexcept;
  // abandon() undoes begin() for a runner torn down by its simulation.
  void abandon() noexcept;
  // leave_wait() is what begin() undoes if its park throws (teardown): a
  // waiter still queued leaves the queue (guard_ free; takes it).
  void leave_wait(detail::SyncWaiter& s);

  std::atomic<bool> done_{false};  // set under guard_; read without it on the fast path
  detail::ObjectLock guard_;
  detail::Owner owner_;
  detail::WaitQueue waiters_;  // callers waiting for the runner. Guarded by guard_.
  bool running_ = false;       // a caller runs f now. Guarded by guard_.
  detail::TaskRef runner_;  // Guarded by guard_.
  const detail::ObjectId id_;
};

// OnceValue<F>: what once_value(f) returns. Copies share one Once and one
// result. operator() runs f on the first call and returns a reference to the
// result, valid while any copy lives; if f threw, it rethrows that exception.
template <class F>
class OnceValue {
 public:
  using Value = std::decay_t<std::invoke_result_t<F&>>;
  static_assert(!std::is_void_v<Value>, "once_value(f): f must return a value (use Once for void)");

  explicit OnceValue(F f) : state_(std::make_shared<State>(std::move(f))) {}

  const Value& operator()(SourceLocation where = SourceLocation::current()) const {
    State& s = *state_;
    s.once.call(
        [&s] {
          try {
            s.value.emplace((*s.f)());
          } catch (const detail::FiberCancelled&) {
            throw;
          } catch (...) {
            s.error = std::current_exception();
          }
          s.f.reset();  // as Go drops f: its captures are released
        },
        where);
    if (s.error) std::rethrow_exception(s.error);
    return *s.value;
  }

 private:
  struct State {
    explicit State(F fn) : f(std::move(fn)) {}
    Once once;
    std::optional<F> f;           // reset once run. Written by the runner only, before the Once is done.
    std::optional<Value> value;   // the result. Same.
    std::exception_ptr error;     // what f threw. Same.
  };
  std::shared_ptr<State> state_;
};

// once_value() returns a callable that runs f once and returns its result on
// every call (Go's sync.OnceValue).
template <class F>
OnceValue<std::decay_t<F>> once_value(F&& f) {
  return OnceValue<std::decay_t<F>>(std::forward<F>(f));
}

}  // namespace lockstep
