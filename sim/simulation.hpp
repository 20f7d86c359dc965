// Simulation: the simulated runtime behind the seam. Internal; users call
// sim::run() (run.hpp).
//
// One OS thread, many fibers, one running at a time. A fiber gives up the CPU
// only at a scheduling point (park, yield, preemption_point, exit); there the
// fiber itself runs the scheduler (pick_next) on its own stack and switches
// straight to the next fiber, so a yield round trip costs two switches, not
// four. The run() caller's own context ("home") is resumed when the run is
// over: then it cancels the fibers left and writes the report. One exception:
// when main returns while other fibers live, main switches home, and home
// schedules the rest of the run, so that nothing more runs on main's stack:
// those fibers may still refer to main's locals, and the stack is kept
// intact until the run is over (see finish()).
//
// Invariants:
//  - current_ is the running fiber (home_ before main starts and after the
//    verdict); every other live fiber is runnable (in run_queue_) or parked.
//  - While a fiber runs, no pending timer is due: add_timer() fires a timer
//    that is already due, and time moves (to the earliest timer, firing every
//    timer due then, in an order the strategy decides among timers due at
//    the same instant; 0 = add order) only when nothing is runnable.
//  - A verdict is set once; after it, pick_next() only returns home.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

#include "runtime/race.hpp"
#include "runtime/seam.hpp"
#include "sim/event_log.hpp"
#include "sim/fiber.hpp"
#include "sim/options.hpp"
#include "sim/race_detector.hpp"
#include "runtime/stack_overflow.hpp"
#include "runtime/timer_heap.hpp"
#include "sim/report.hpp"
#include "sim/wait_graph.hpp"

namespace lockstep::sim::detail {

// require_runnable() fails with a misuse naming `what` (a caller such as
// "sim::run()") for an empty function or a call from within a simulation.
void require_runnable(const lockstep::detail::Body& root, const char* what, SourceLocation where);
// fiber_text() names a fiber in a verdict's message, with where it was
// spawned: `fiber 2 "watch" (spawned at courier.cpp:41)`.
std::string fiber_text(const Fiber& f);

using lockstep::detail::Body;
using lockstep::detail::TimerNode;
using lockstep::detail::WaitSite;


class Simulation final : public lockstep::detail::Runtime {
 public:
  // Simulation() validates `options` and resolves a replay token; misuse
  // names `where`, the sim::run() call.
  Simulation(const Options& options, SourceLocation where);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // run() runs `root` as the main fiber until a verdict; call once.
  Report run(Body root, SourceLocation where);
  // set_log() makes run() log every event up to the verdict into `log`
  // (event_log.hpp); call before run(). Off (null) by default.
  void set_log(EventLog* log) noexcept {
    log_ = log;
    fast_ = fifo_ && log_ == nullptr;
  }

  // The seam.
  lockstep::detail::Task& spawn(Body&& body, std::string&& name, SourceLocation site) override;
  lockstep::detail::Task& current() noexcept override { return *current_; }
  void park(const WaitSite& site, lockstep::detail::Unlock unlock = {}) override;
  void ready(lockstep::detail::Task& task) override;
  void yield(SourceLocation where) override;
  void preemption_point(SourceLocation where) override;
  TimePoint now() const noexcept override { return now_; }
  void add_timer(TimerNode& node) override;
  bool cancel_timer(TimerNode& node) noexcept override {
    return node.slot == TimerNode::kTied ? cancel_tied(node) : timers_.remove(node);
  }
  std::size_t choose(std::size_t n, SourceLocation where) override;
  bool rarely(SourceLocation where) override;
  std::uint64_t new_object_id() noexcept override { return next_object_id_++; }
  std::size_t live_tasks() const noexcept override { return live_count_; }
  std::string dump() override { return format_dump(snapshot(), kSimulationEpoch, now_, "fiber"); }
  bool tearing_down() const noexcept override { return current_->cancel; }
  [[noreturn]] void leave_in_place() noexcept override;

  // end_run_from_timer() is a verdict reached in a timer callback (a liveness
  // monitor's bound, sim/monitor.hpp): the run ends at this instant.
  void end_run_from_timer(Verdict v, std::string message) { end_run(v, std::move(message)); }
  // wait_graph() is the wait-for graph of the live fibers now (sim::wait_graph()).
  WaitGraph wait_graph() const;
  // wait() is sim::wait(): returns once every other fiber is durably blocked.
  void wait(SourceLocation where);

  // The simulation running on the calling thread, if any.
  static Simulation* on_this_thread() noexcept;
  // Watchdog support, read from the watchdog thread: the heartbeat is the
  // number of scheduling points reached.
  std::uint64_t heartbeat() const noexcept { return steps_.load(std::memory_order_relaxed); }
  const Fiber* running() const noexcept { return running_.load(std::memory_order_relaxed); }
  std::chrono::milliseconds watchdog_limit() const noexcept { return options_.watchdog; }
  // release_stack() takes back an exited fiber's stack (Boost.Context calls
  // it): to the pool, or held until the run is over (main's, see finish()).
  void release_stack(Fiber& f, const Stack& stack) noexcept;
  // describe_overflow() is the stack overflow handler's question.
  bool describe_overflow(const void* fault, char* buffer, std::size_t size) const noexcept;

 private:
  Fiber& new_fiber(Body&& body, std::string&& name, SourceLocation site, bool is_main = false);
  // A fiber takes its stack and context at its first run: make_context()
  // does it and throws std::bad_alloc without a stack (main's, at run());
  // start_fiber() instead ends the run and drops the fiber (false).
  void make_context(Fiber& f, bool is_main);
  std::uint32_t store_body(Body&& body);
  Body take_body(Fiber& f) noexcept;
  bool start_fiber(Fiber& f) noexcept;
  [[gnu::noinline]] Fiber* first_run(Fiber& next) noexcept;
  void run_body(Fiber& f, Body& body) noexcept;
  boost::context::fiber finish(Fiber& f) noexcept;
  void reclaim(Fiber& f) noexcept;
  bool orphaned(const Fiber& f) const noexcept;
  void leave(Fiber& f) noexcept;
  void close_race_ignores(Fiber& f) noexcept;

  Fiber& pick_next();
  Fiber& pick_next_slow();
  // The hot paths (every scheduling point runs them) are defined inline
  // below the class; their rare branches call out-of-line *_slow functions.
  Fiber& decide_from_queue(bool current_first);
  Fiber& decide_slow(bool current_first);
  void record(std::size_t decision, std::size_t alternatives);
  void count_step(SourceLocation where);
  bool fast_point(Fiber& me, SourceLocation where) noexcept;
  [[gnu::noinline]] void yield_slow(Fiber& me, SourceLocation where);
  [[gnu::noinline]] void preemption_point_slow(Fiber& me, SourceLocation where);
  void note_site(Fiber& me, SourceLocation where) noexcept;
  void restart_livelock_budget() noexcept;
  [[noreturn]] void livelock_slow(SourceLocation where);
  [[noreturn]] void race_slow(SourceLocation where);
  [[gnu::noinline]] void preempt_slow(Fiber& me);
  void advance_time_or_end();
  // Timers (simulation_timers.cpp): due timers fire in an order the
  // strategy decides when several are due at one instant.
  void fire_due_timers();
  void fire_tied_timers(TimerNode& first);
  void fire_timer(TimerNode& t);
  bool cancel_tied(TimerNode& node) noexcept;

  void switch_to(Fiber& next);
  // hand_over() with `counted` false is main's exit to home while fibers
  // live (finish()): the run's count and log see one switch, main to the next
  // fiber, which home then makes.
  void hand_over(Fiber& from, Fiber& next, bool counted = true) noexcept;
  void resumed(boost::context::fiber&& from) noexcept;
  void cancel_point(Fiber& me);
  bool unwinding_cancelled(Fiber& me);
  [[noreturn]] void cancel_slow(Fiber& me, lockstep::detail::Leave leave = {});

  void end_run(Verdict v, std::string message, Fiber* culprit = nullptr);
  [[noreturn]] void end_run_from_fiber(Verdict v, std::string message);
  void finalize(Report& report);
  std::vector<FiberSnapshot> snapshot() const;
  WaitGraph wait_graph(const std::vector<FiberSnapshot>& fibers) const;
  void require_in_fiber(const char* what, SourceLocation where) const;
  [[noreturn]] void not_in_fiber_slow(const char* what, SourceLocation where) const;

  // Event logging (simulation_log.cpp). Every call site tests log_ first, so
  // a run without a log pays one predictable branch per event.
  [[gnu::noinline]] void log_spawn(const Fiber& f);
  [[gnu::noinline]] void log_run(const Fiber& from, const Fiber& next);
  [[gnu::noinline]] void log_park(const Fiber& f);
  [[gnu::noinline]] void log_ready(const Fiber& f);
  [[gnu::noinline]] void log_exit(const Fiber& f);
  [[gnu::noinline]] void log_decide(std::size_t decision, std::size_t alternatives);
  [[gnu::noinline]] void log_timer(std::uint64_t seq);
  [[gnu::noinline]] void log_advance();
  [[gnu::noinline]] void log_verdict();
  void log_add(Event e);

  Options options_;
  void* eh_globals_;  // this thread's __cxa_eh_globals; a simulation stays on its thread
  std::unique_ptr<sim::detail::Decider> decider_;
  bool fifo_ = true;
  bool observes_ = false;  // the decider wants on_ready() and on_time_moved()
  // fast_: FIFO and no event log. Every decision is 0 and nothing is logged,
  // so yield and preemption points take their short paths (only counts).
  bool fast_ = true;
  EventLog* log_ = nullptr;  // set_log(); cleared at the verdict (teardown is not logged)

  Fiber home_;                 // the run() caller's context
  Fiber* current_ = &home_;
  Fiber* switched_from_ = nullptr;  // who switched to current_ (set before every jump)
  Fiber* main_ = nullptr;
  std::uint64_t main_id_ = 0;
  Fiber* waiter_ = nullptr;         // the fiber in wait(), if any
  Fiber* live_head_ = nullptr;
  Fiber* live_tail_ = nullptr;
  std::uint64_t live_count_ = 0;
  bool main_exited_ = false;
  bool in_timer_callback_ = false;

  RunQueue run_queue_;
  lockstep::detail::TimerHeap timers_;
  std::vector<TimerNode*> tied_;  // the tie not fired yet, newest first (simulation_timers.cpp)
  TimePoint now_ = kSimulationEpoch;
  std::vector<std::int64_t> priorities_;  // scratch for PCT picks

  std::deque<Fiber> fiber_storage_;  // stable addresses
  std::vector<Fiber*> free_fibers_;
  // The bodies of fibers that never ran, by Fiber::body_slot; free slots are
  // reused last in, first out. free_bodies_ has room for every slot, so
  // take_body() never allocates.
  std::vector<Body> bodies_;
  std::vector<std::uint32_t> free_bodies_;
  Stack held_stack_;                 // main's, kept until the run is over (hold_stack)
  std::uint64_t left_in_place_ = 0;  // fibers the teardown left in place

  // Verdict, set once.
  bool ending_ = false;
  Verdict verdict_ = Verdict::passed;
  std::string message_;
  Fiber* culprit_ = nullptr;
  std::exception_ptr exception_;
  std::vector<FiberSnapshot> snapshot_;
  WaitGraph graph_;  // built at a deadlock or leak verdict, while the objects still exist

  // Figures.
  // steps_ is also the watchdog's heartbeat: written by this thread only,
  // read by the watchdog's.
  std::atomic<std::uint64_t> steps_{0};
  // The step count past which the run is a livelock: the count when time
  // last moved plus Options::livelock_steps (saturated), so that each step
  // compares once.
  std::uint64_t livelock_at_ = 0;
  std::uint64_t switches_ = 0;
  std::uint64_t steps_at_verdict_ = 0, switches_at_verdict_ = 0;
  std::uint64_t next_id_ = 1, peak_ = 0, decision_count_ = 0, next_object_id_ = 1;
  std::vector<std::uint32_t> decisions_;

  std::atomic<const Fiber*> running_{nullptr};
};

// ---- hot paths ----------------------------------------------------------------

inline void Simulation::require_in_fiber(const char* what, SourceLocation where) const {
  if (current_ == &home_ || in_timer_callback_) [[unlikely]]
    not_in_fiber_slow(what, where);
}

// cancel_point() is where a blocking call learns that its fiber is being
// torn down: it throws FiberCancelled (or dies, if the fiber is already
// unwinding: a destructor must not block).
inline void Simulation::cancel_point(Fiber& me) {
  if (me.cancel) [[unlikely]]
    cancel_slow(me);
}

// unwinding_cancelled() is the same for a call that does not block (yield, a
// preemption point): during the unwinding it returns true, and the call does
// nothing, so destructors may use primitives (a lock_guard's unlock, a
// WaitGroup's done) while a torn-down fiber unwinds.
inline bool Simulation::unwinding_cancelled(Fiber& me) {
  if (!me.cancel) [[likely]]
    return false;
  if (std::uncaught_exceptions() > 0) return true;
  cancel_slow(me);
}

// note_site() records `where` as the fiber's last scheduling point, unless
// an exception is unwinding it: a destructor's operation (a lock_guard's
// unlock, a WaitGroup's done) must not hide where the fiber was when it
// threw, which the exception verdict's dump shows.
inline void Simulation::note_site(Fiber& me, SourceLocation where) noexcept {
  if (!unwinding(eh_globals_)) [[likely]]
    me.site = where;
}

// count_step() counts a scheduling step: the heartbeat, the livelock
// budget, the race detector's report, PCT's change points.
inline void Simulation::count_step(SourceLocation where) {
  std::uint64_t steps = steps_.load(std::memory_order_relaxed) + 1;
  steps_.store(steps, std::memory_order_relaxed);
  if (steps > livelock_at_) [[unlikely]]
    livelock_slow(where);
  if (race_pending()) [[unlikely]]  // constant false outside the race-detector build
    race_slow(where);
  if (!fifo_) current_->priority = decider_->on_step(steps, current_->priority);
}

// fast_point() is the common case of a scheduling point, checked and
// counted at once: true if the run is fast_ (FIFO, no log), `me` is a fiber
// (not home, not in a timer callback) neither torn down nor unwinding, and
// the step stays within the livelock budget; then the step is counted and
// `where` noted, as count_step() and note_site() would. False changes
// nothing: the caller takes its full path (*_slow), which handles every
// case. The race-detector build always takes the full path (a race may be
// pending, and the bookkeeping must be ignored).
inline bool Simulation::fast_point(Fiber& me, SourceLocation where) noexcept {
  if constexpr (lockstep::detail::kRaceDetector) return false;
  if (!fast_) [[unlikely]]  // first: a strategy's run leaves at once
    return false;
  std::uint64_t steps = steps_.load(std::memory_order_relaxed) + 1;
  bool rare = (&me == &home_) | in_timer_callback_ | me.cancel | (steps > livelock_at_);
  if (rare || unwinding(eh_globals_)) [[unlikely]]
    return false;
  steps_.store(steps, std::memory_order_relaxed);
  me.site = where;
  return true;
}

// record() keeps a decision for replay. Under fifo every decision is 0, so
// only the count is kept.
inline void Simulation::record(std::size_t decision, std::size_t alternatives) {
  ++decision_count_;
  if (!fifo_ && options_.record_decisions) decisions_.push_back(static_cast<std::uint32_t>(decision));
  if (log_ != nullptr) [[unlikely]]
    log_decide(decision, alternatives);
}

// decide_from_queue() takes the next fiber from the run queue. With
// `current_first`, the running fiber is alternative 0 (a preemption point)
// and is returned, not taken, when chosen.
inline Fiber& Simulation::decide_from_queue(bool current_first) {
  std::size_t n = run_queue_.size() + (current_first ? 1 : 0);
  if (n == 1) return *run_queue_.pop_front();
  if (!fifo_) return decide_slow(current_first);
  record(0, n);
  return *run_queue_.pop_front();
}

// pick_next() decides who runs after the current fiber parked or exited;
// the common case (a runnable fiber, no verdict) is inline, the rest is
// pick_next_slow().
inline Fiber& Simulation::pick_next() {
  if (!ending_ && !run_queue_.empty()) [[likely]]
    return decide_from_queue(false);
  return pick_next_slow();
}

// hand_over() makes `next` current; the caller then jumps into it. Runs on
// `from`'s stack, so the canary check sees `from`'s deepest live frame.
inline void Simulation::hand_over(Fiber& from, Fiber& next, bool counted) noexcept {
  lockstep::detail::check_canary(from, from.stack, "sim::Options::stack_size");
  start_switch(from.exited ? nullptr : &from.asan, next.asan);
  from.eh = exchange_eh_state(eh_globals_, next.eh);
  if constexpr (lockstep::detail::kRaceDetector) from.race_depth = lockstep::detail::race_switch_depth(next.race_depth);
  switched_from_ = &from;
  current_ = &next;
  next.state = FiberState::running;
  running_.store(&next, std::memory_order_relaxed);
  if (counted) [[likely]] {
    ++switches_;
    if (log_ != nullptr) [[unlikely]]
      log_run(from, next);
  }
  // Announced last, as the caller jumps next; an exiting fiber's is
  // announced on arrival instead (resumed()): its final frames still return
  // after this point, and must unwind its own shadow stack.
  if (!from.exited) tsan_switch_unordered(next.tsan);
}

// Always inlined: under ThreadSanitizer, a frame of its own would return
// after the arrival switch below and unbalance the shadow stack.
[[gnu::always_inline]] inline void Simulation::resumed(boost::context::fiber&& from) noexcept {
  Fiber* f = switched_from_;
  finish_switch(&current_->asan, f->asan);
  if (from) [[likely]] {
    f->context = std::move(from);
  } else {  // it exited; Boost already returned its stack
    tsan_switch_unordered(current_->tsan);
    lockstep::detail::RaceIgnore ignore;  // bookkeeping, whatever the arriving fiber's state
    reclaim(*f);  // and TSan forgets its state
  }
}

// The first run of a fiber is prepared out of line (first_run()), and the
// jump made here all the same: the frame a fiber parks in stays as shallow
// as any park's, which its teardown pays for in cold cache lines.
inline void Simulation::switch_to(Fiber& next) {
  Fiber* to = &next;
  if (!next.context) [[unlikely]] {  // it never ran
    to = first_run(next);
    if (to == nullptr) return;
  }
  hand_over(*current_, *to);
  resumed(std::move(to->context).resume());
}

}  // namespace lockstep::sim::detail
