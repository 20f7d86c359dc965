// The runtime seam: the few calls every lockstep primitive is written against.
//
// As in Go's runtime (gopark / goready / sudog), a blocking primitive is a
// queue of waiting tasks plus these calls:
//
//   spawn(body, name, site)  start a task (a fiber in a simulation)
//   current()                the calling task's identity
//   park(site, unlock)       stop the calling task until someone ready()s it;
//                            `site` names why, on what and where, for dumps;
//                            `unlock` releases the primitive's lock once the
//                            task counts as parked (Go's gopark unlockf); it
//                            may run on another stack, and once it released
//                            anything the task may run again: it reads what
//                            it needs from the task's stack first
//   ready(task)              make a parked task runnable again
//   yield(where)             offer the CPU to the other runnable tasks (under
//                            FIFO they all go first)
//   preemption_point(where)  a place where the scheduler may switch tasks (a
//                            primitive operation); a no-op unless a strategy
//                            wants to explore an interleaving here
//   now()                    the runtime's time (virtual in a simulation)
//   add_timer / cancel_timer a callback at a time point
//   choose(n, where)         a decision among n alternatives (which ready select
//                            case, ...); a simulation records and replays it
//   rarely(where)            a two-way decision whose `true` is seldom taken
//   new_object_id()          a small id for a new primitive ("chan #7"); in a
//                            simulation ids count from 1 per run, so dumps
//                            are the same on every run
//   live_tasks(), dump()     goroutine accounting: how many, and what they do
//   tearing_down()           is the calling task being torn down (its
//                            simulation has a verdict and unwinds it)?
//   leave_in_place()         stop a torn-down task for good, unwound no further
//
// A primitive never learns which runtime it runs on: it calls
// current_runtime() and the interface below. Nothing here depends on sim/.
//
// Invariants every runtime keeps:
//  - park() returns only after ready() was called for the task (no spurious
//    wake-ups), or throws FiberCancelled when the runtime tears the task down
//    (or a misuse, before parking); before it throws, it runs the site's
//    `leave` (WaitSite, Leave), so a parking frame needs no catch block.
//  - ready() of a task that is not parked is a bug in the primitive.
//  - A timer fires at most once, at or after `when`; cancel_timer() after it
//    fired returns false. Timers with equal `when` fire in add order.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "runtime/clock.hpp"
#include "runtime/source_location.hpp"
#include "runtime/unique_function.hpp"

namespace lockstep::detail {

struct WaitEdges;  // runtime/wait_edges.hpp

// The object a task waits on, as the goroutine dump shows it:
// "chan<int> #7 cap=0 len=0", "mutex #3 held by fiber 5". A type derives
// from Describes<T> and defines its own describe().
//
// Not polymorphic on purpose: with a virtual table, the undefined behaviour
// sanitizer aborts on a member call on a destroyed object at the caller's
// site, before the callee can tell; and that call is exactly what a teardown
// must survive (a leaked fiber's guard unlocking a mutex that died with
// main's frame, docs/simulation.md "Teardown"). A pointer to a per-type
// table of functions costs the same indirect call as a virtual one, and one
// pointer per object however many functions the table holds.
class Waitable {
 public:
  std::string describe() const { return ops_->describe(*this); }
  // wait_edges() adds what the wait-for graph needs beyond describe() (who
  // holds the object, a select's cases); most objects add nothing. Only a
  // simulation's verdict or sim::wait_graph() calls it: it costs nothing else.
  void wait_edges(WaitEdges& out) const {
    if (ops_->edges != nullptr) ops_->edges(*this, out);
  }

 protected:
  struct Ops {
    std::string (*describe)(const Waitable&);
    void (*edges)(const Waitable&, WaitEdges&);  // null: nothing to add
  };
  explicit Waitable(const Ops& ops) noexcept : ops_(&ops) {}
  Waitable(const Waitable&) = default;
  Waitable& operator=(const Waitable&) = default;
  ~Waitable() = default;

 private:
  const Ops* ops_;
};

// Describes<T> makes T a Waitable whose description is T::describe(), and
// whose wait_edges() is T::wait_edges() if T has one.
template <class T>
class Describes : public Waitable {
 protected:
  Describes() noexcept : Waitable(kOps) {}

 private:
  static constexpr void (*edges_of() noexcept)(const Waitable&, WaitEdges&) {
    // T's own wait_edges(), not the one every Waitable inherits.
    if constexpr (std::is_same_v<decltype(&T::wait_edges), void (T::*)(WaitEdges&) const>)
      return [](const Waitable& w, WaitEdges& e) { static_cast<const T&>(w).wait_edges(e); };
    else
      return nullptr;
  }
  static constexpr Ops kOps{[](const Waitable& w) { return static_cast<const T&>(w).describe(); }, edges_of()};
};

// Leave: what a parking frame undoes if park() throws instead of returning
// (a teardown, a misuse): leave the wait queue, pass on a mutex granted to
// the task but never taken, drop a channel's keep-alive reference, cancel a
// sleep's timer. Empty: nothing to undo. leave_with(f) makes one of a
// callable that lives in the parking frame (a lambda capturing by reference).
//
// A runtime that throws out of park() runs it first, exactly once, on the
// parking task, with `unlock` already run (it runs `unlock` first if the
// exception came before: a misuse), so the primitive's lock is free and
// `leave` takes it itself. Why not a catch-and-rethrow in the primitive: it
// costs the unwinder a second search over the stack per torn-down task, and
// a teardown of a million parked fibers pays it a million times. `leave`
// does not run when park() returns, nor when a torn-down task is left in
// place (Runtime::leave_in_place(): its stack is kept, its waiter stays
// queued). It must not park, and must not throw.
struct Leave {
  void (*run)(void*) = nullptr;
  void* arg = nullptr;
  void operator()() const {
    if (run != nullptr) run(arg);
  }
};

template <class F>
Leave leave_with(F& f) noexcept {
  return Leave{[](void* self) { (*static_cast<F*>(self))(); }, &f};
}

// What a parked task waits for. `reason` is a Go-style wait reason with
// static storage ("chan receive", "sleep", "sync.Mutex.Lock"). `object`, if
// set, must outlive the park: a dump may describe it when the run ends.
// `leave` is what the parking frame undoes if park() throws (see Leave).
struct WaitSite {
  const char* reason = "";
  const Waitable* object = nullptr;
  SourceLocation where;
  Leave leave{};
};

// A task's identity, common to every runtime; each runtime derives its own
// task type from it. Ids are small, dense and assigned in spawn order.
class Task {
 public:
  std::uint64_t id = 0;
  // What dumps and messages call it: "fiber" in a simulation; "goroutine",
  // or "thread" for a thread not started by go(), in real-thread mode.
  const char* kind = "fiber";
  std::string name;
  SourceLocation spawned_at;
};

// Thrown out of park(), yield() and preemption_point() (so out of any
// primitive operation) into a task the runtime is tearing down (a
// simulation that ended with tasks still parked), so the task's stack unwinds
// and its destructors run. Not a std::exception on purpose: `catch
// (std::exception&)` must not swallow it. A task that swallows it with
// `catch (...)` gets it again at its next park.
struct FiberCancelled {};

// A timer: the runtime calls fire(*this) once, at or after `when`, on its
// scheduler (in a simulation: between tasks, at the virtual instant `when`).
// fire() must not block; it may ready tasks, add timers and spawn tasks. The
// node is owned by the primitive and must stay alive until it fired, was
// cancelled, or was discarded: a runtime that ends with the timer still
// pending calls discard(*this) (if set) instead, so the owner can let go.
struct TimerNode {
  TimePoint when;
  void (*fire)(TimerNode&) = nullptr;
  void (*discard)(TimerNode&) = nullptr;

  // Owned by the runtime while the timer is pending.
  std::uint64_t seq = 0;
  void* heap = nullptr;  // which of the runtime's heaps holds it (M:N: a worker's)
  std::uint32_t slot = kNotPending;
  static constexpr std::uint32_t kNotPending = ~std::uint32_t{0};
  // kTied: out of its heap in a batch due at one instant, not fired yet (a
  // simulation fires such a batch in a decided order): still pending.
  static constexpr std::uint32_t kTied = kNotPending - 1;
  bool pending() const noexcept { return slot != kNotPending; }
};

using Body = UniqueFunction<void()>;

// Releases a primitive's lock (or several, for a select) on behalf of a task
// that is parking. Empty: nothing to release.
struct Unlock {
  void (*release)(void*) = nullptr;
  void* arg = nullptr;
  void operator()() const {
    if (release != nullptr) release(arg);
  }
};

// describe_or_leave() is what a real runtime's dump shows of `site.object`,
// taken before the task parks. If describing throws (no memory), it runs
// `unlock` and `site.leave` and rethrows, as every park() that throws must.
std::string describe_or_leave(const WaitSite& site, Unlock unlock);

class Runtime {
 public:
  // A process-wide unique, never reused identity. Objects bind to it, not to
  // the runtime's address, which a later simulation may reuse.
  std::uint64_t identity() const noexcept { return identity_; }
  // is_live() tells whether the runtime with that identity still exists.
  static bool is_live(std::uint64_t identity) noexcept;

  virtual Task& spawn(Body&& body, std::string&& name, SourceLocation site) = 0;
  virtual Task& current() noexcept = 0;
  virtual void park(const WaitSite& site, Unlock unlock = {}) = 0;
  virtual void ready(Task& task) = 0;
  virtual void yield(SourceLocation where) = 0;
  virtual void preemption_point(SourceLocation where) = 0;
  virtual TimePoint now() const noexcept = 0;
  // add_timer() schedules `node`; a node whose `when` is not in the future
  // fires before add_timer() returns, as Go runs an expired timer at once.
  virtual void add_timer(TimerNode& node) = 0;
  // cancel_timer() returns true if the timer was pending and now never fires.
  virtual bool cancel_timer(TimerNode& node) noexcept = 0;
  virtual std::size_t choose(std::size_t n, SourceLocation where) = 0;
  // rarely() is a two-way decision whose `true` is the unusual alternative
  // (Mutex barging): a simulation's sampling strategies take it seldom
  // (sim::kRareOdds) so that a decision offered at every contended lock does
  // not drown the others; systematic search and replay see two alternatives.
  virtual bool rarely(SourceLocation where) { return choose(2, where) == 1; }
  virtual std::uint64_t new_object_id() noexcept = 0;
  // live_tasks() counts the live tasks: a simulation's fibers (main too), or
  // the goroutines started by go() on real threads.
  virtual std::size_t live_tasks() const noexcept = 0;
  // dump() is the goroutine dump of the live tasks (runtime/task_dump.hpp).
  virtual std::string dump() = 0;
  // tearing_down() is true while the calling task is being torn down: a
  // simulation reached its verdict and is unwinding the task's stack. Then an
  // operation on a destroyed object does nothing (Owner::check), and a misuse
  // or a block, which cannot be thrown from a destructor that is unwinding,
  // leaves the task in place instead (leave_in_place()). Never on threads.
  virtual bool tearing_down() const noexcept { return false; }
  // leave_in_place() never returns: the calling task, which is being torn
  // down, stops here and is never resumed or unwound further, as Go leaves a
  // leaked goroutine where it is. Only called when tearing_down().
  [[noreturn]] virtual void leave_in_place() noexcept;

  // The real runtimes' own calls (a simulation has other means, or no need).
  // wait_for_live() blocks until at most `n` tasks live (live_tasks()) or
  // `deadline` passes; returns whether the count got there. Leak checks.
  virtual bool wait_for_live(std::size_t n, std::chrono::steady_clock::time_point deadline);
  // enter_blocking() and exit_blocking() bracket a call that blocks the OS
  // thread (lockstep::blocking()): the M:N runtime hands the calling
  // worker's goroutines to another thread for the duration.
  virtual void enter_blocking() {}
  virtual void exit_blocking() {}

 protected:
  Runtime();
  ~Runtime();

 private:
  const std::uint64_t identity_;
};

// The runtime of the calling thread: the simulation whose fiber is running,
// or else the process's real runtime (real mode: the M:N runtime, mn/, or
// the thread-per-goroutine runtime, threads/, by LOCKSTEP_RUNTIME), which
// always exists. So current_runtime() is never null; the choice is made by
// where the code runs, with no change at the call site.
constinit inline thread_local Runtime* current_runtime_ = nullptr;  // the simulation, if any
// True while the calling thread runs a simulation: one fiber at a time, so
// primitives bound to it need no locks.
constinit inline thread_local bool single_threaded_ = false;
// real_runtime() is the process's real runtime, chosen and created at first
// use (mn/real_runtime.cpp) and never destroyed (goroutines may outlive
// main's return).
Runtime& real_runtime() noexcept;
constinit inline std::atomic<Runtime*> real_runtime_{nullptr};  // set by real_runtime()
inline Runtime* current_runtime() noexcept {
  if (Runtime* rt = current_runtime_; rt != nullptr) return rt;
  if (Runtime* rt = real_runtime_.load(std::memory_order_acquire); rt != nullptr) [[likely]]
    return rt;
  return &real_runtime();
}
inline bool in_simulation() noexcept { return current_runtime_ != nullptr; }
inline bool single_threaded() noexcept { return single_threaded_; }

}  // namespace lockstep::detail
