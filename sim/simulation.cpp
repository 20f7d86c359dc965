#include "sim/simulation.hpp"

#include <cxxabi.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "runtime/misuse.hpp"
#include "sim/graveyard.hpp"
#include "sim/watchdog.hpp"

namespace lockstep::sim::detail {

namespace ctx = boost::context;
using lockstep::detail::fail_misuse;
using lockstep::detail::FiberCancelled;
using lockstep::detail::RaceIgnore;
using lockstep::detail::RaceUserCode;

namespace {

constinit thread_local Simulation* this_thread_simulation = nullptr;

bool describe_overflow_here(const void* fault, char* buffer, std::size_t size) {
  Simulation* sim = Simulation::on_this_thread();
  return sim != nullptr && sim->describe_overflow(fault, buffer, size);
}

// copy_site() is `to = from`, one field at a time. park() copies the site its
// caller built moments before, one store per field. Read in 16-byte halves,
// as the compiler copies the struct (and would merge two adjacent pointer
// fields' loads, as in `leave`: hence the volatile reads, which it keeps
// apart), those stores cannot be forwarded to the loads, which then wait
// for them to reach the cache: about 10 ns of a simulated channel
// ping-pong's round trip, 20 ns with `leave` read whole.
void copy_site(WaitSite& to, const WaitSite& from) noexcept {
  to.reason = *static_cast<const char* const volatile*>(&from.reason);
  to.object = *static_cast<const lockstep::detail::Waitable* const volatile*>(&from.object);
  to.where = from.where;
  to.leave.run = *static_cast<void (*const volatile*)(void*)>(&from.leave.run);
  to.leave.arg = *static_cast<void* const volatile*>(&from.leave.arg);
}

// fail_ready() is a primitive's bug: ready() of a fiber that is not parked.
// Out of line, so that ready() needs no stack frame.
[[noreturn, gnu::noinline, gnu::cold]] void fail_ready(const Fiber& f) {
  throw std::logic_error(fmt::format("lockstep internal error: ready() of {} which is {}", fiber_text(f),
                                     to_string(f.state)));
}

}  // namespace

std::string fiber_text(const Fiber& f) {
  return fmt::format("{} (spawned at {}:{})", lockstep::detail::describe_task(f),
                     f.spawned_at.file_name(), f.spawned_at.line());
}

Simulation* Simulation::on_this_thread() noexcept { return this_thread_simulation; }

Simulation::Simulation(const Options& options, SourceLocation where)
    : options_(options), eh_globals_(abi::__cxa_get_globals()) {
  options_.validate(where);
  bool from_env = false;
  // The systematic search makes every decision itself: no token replaces it.
  if (options_.replay.empty() && options_.strategy.kind() != Strategy::Kind::dfs)
    if (const char* env = std::getenv("LOCKSTEP_REPLAY"); env != nullptr && *env != '\0') {
      options_.replay = env;
      from_env = true;
    }
  if (!options_.replay.empty())
    if (auto why = try_parse_token(options_.replay, options_.strategy, options_.seed))
      fail_misuse(from_env ? "LOCKSTEP_REPLAY: " + *why : *why, nullptr, where);
  options_.strategy = options_.strategy.member(options_.seed);  // a portfolio runs one member
  decider_ = make_decider(options_.strategy, options_.seed);
  fifo_ = decider_->fifo();
  fast_ = fifo_;
  observes_ = decider_->observes();
  restart_livelock_budget();
  home_.name = "(sim::run caller)";
  home_.state = FiberState::running;
}

Simulation::~Simulation() = default;

// ---- running a simulation ---------------------------------------------------

Report Simulation::run(Body root, SourceLocation where) {
  install_overflow_handler(&describe_overflow_here);
  this_thread_simulation = this;
  lockstep::detail::current_runtime_ = this;
  lockstep::detail::single_threaded_ = true;
  struct Restore {
    ~Restore() {
      this_thread_simulation = nullptr;
      lockstep::detail::current_runtime_ = nullptr;
      lockstep::detail::single_threaded_ = false;
    }
  } restore;
  Watchdog::Registration watched(*this);
  // Race detector: home's bookkeeping is not the program's, and a run's
  // fibers all exit (release on `this`, finish()) before run() returns.
  clear_race();
  RaceIgnore ignore;
  home_.tsan = tsan_current();
  main_ = &new_fiber(std::move(root), "main", where, true);
  main_id_ = main_->id;
  run_queue_.pop_front();  // main starts now, not through the queue
  switch_to(*main_);
  // Home again: the run has a verdict, or main returned while fibers live,
  // and home schedules from here on (finish()).
  while (!ending_) {
    Fiber& next = pick_next();
    if (&next == &home_) break;
    switch_to(next);
  }
  Report report;
  finalize(report);
  if (held_stack_.base != nullptr) StackPool::local().release(std::exchange(held_stack_, Stack{}));
  StackPool::local().trim(1024);
  lockstep::detail::race_acquire(this);
  clear_race();  // a race reported during the teardown: the run had its verdict
  return report;
}

bool Simulation::describe_overflow(const void* fault, char* buffer, std::size_t size) const noexcept {
  const Fiber& f = *current_;
  if (!lockstep::detail::overflows(f.stack, fault)) return false;
  lockstep::detail::describe_overflow(buffer, size, f, f.stack, false, "sim::Options::stack_size");
  return true;
}

void Simulation::cancel_slow(Fiber&, lockstep::detail::Leave leave) {
  // Throwing while a destructor unwinds would call std::terminate: a fiber
  // that blocks in a destructor during its teardown stays where it is.
  if (std::uncaught_exceptions() > 0) leave_in_place();
  leave();  // a park's (seam.hpp): only once the throw is certain
  throw FiberCancelled{};
}

void Simulation::leave_in_place() noexcept {
  Fiber& me = *current_;
  me.left_in_place = true;  // finalize() buries it once home resumes
  switch_to(home_);
  std::abort();  // never resumed
}

void Simulation::not_in_fiber_slow(const char* what, SourceLocation where) const {
  if (current_ == &home_)
    fail_misuse(fmt::format("{} outside a fiber of the simulation", what), nullptr, where);
  fail_misuse(fmt::format("{} inside a timer callback (timer callbacks must not block)", what),
              nullptr, where);
}

// ---- the seam ---------------------------------------------------------------

lockstep::detail::Task& Simulation::spawn(Body&& body, std::string&& name, SourceLocation site) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  if (!body) fail_misuse("spawn of an empty function", nullptr, site);
  return new_fiber(std::move(body), std::move(name), site);
}

// park() runs `site.leave` before any exception leaves it (seam.hpp, Leave).
// The teardown's, thrown after the switch back, passes no handler in this
// frame nor in the primitive's: a torn-down fiber's stack unwinds in one
// search. The handler here sees only the rare throws before the switch (a
// misuse, a fiber that swallowed its FiberCancelled parking again, a verdict
// reached while it parked).
void Simulation::park(const WaitSite& site, lockstep::detail::Unlock unlock) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  Fiber& me = *current_;
  bool released = false;
  try {
    require_in_fiber("park", site.where);
    released = true;
    unlock();  // one fiber runs at a time: nobody can ready it before it parks
    cancel_point(me);
    count_step(site.where);
    me.state = FiberState::blocked;
    lockstep::detail::race_release(&waiter_);  // durably blocked: before sim::wait() returns (Go's synctest)
    copy_site(me.wait, site);
    me.site = site.where;
    me.blocked_since = now_;
    if (log_ != nullptr) [[unlikely]]
      log_park(me);
    Fiber& next = pick_next();
    if (&next != &me) {
      switch_to(next);
    } else {
      me.state = FiberState::running;  // a timer readied it while time moved
      if (log_ != nullptr) [[unlikely]]
        log_run(me, me);
    }
  } catch (...) {
    if (!released) unlock();
    site.leave();
    throw;
  }
  if (me.cancel) [[unlikely]]
    cancel_slow(me, site.leave);
}

void Simulation::ready(lockstep::detail::Task& task) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  auto& f = static_cast<Fiber&>(task);
  if (f.left_in_place) return;  // a teardown's destructor woke a fiber it left in place
  if (f.state != FiberState::blocked) [[unlikely]]
    fail_ready(f);
  if (log_ != nullptr) [[unlikely]]
    log_ready(f);
  f.state = FiberState::runnable;
  if (observes_) [[unlikely]]
    f.priority = decider_->on_ready(f.id, f.priority);
  run_queue_.push_back(&f);
}

void Simulation::yield(SourceLocation where) {
  Fiber& me = *current_;
  if (fast_point(me, where)) [[likely]] {
    if (run_queue_.empty()) return;
    ++decision_count_;  // FIFO's 0: the oldest runnable fiber runs, `me` queues last
    me.state = FiberState::runnable;
    switch_to(*run_queue_.rotate(&me));
    cancel_point(me);
    return;
  }
  yield_slow(me, where);
}

void Simulation::yield_slow(Fiber& me, SourceLocation where) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  require_in_fiber("yield", where);
  if (unwinding_cancelled(me)) return;
  count_step(where);
  note_site(me, where);
  if (run_queue_.empty()) return;
  me.state = FiberState::runnable;
  run_queue_.push_back(&me);
  Fiber& next = decide_from_queue(false);
  if (&next != &me)
    switch_to(next);
  else
    me.state = FiberState::running;
  cancel_point(me);
}

void Simulation::preemption_point(SourceLocation where) {
  Fiber& me = *current_;
  if (fast_point(me, where)) [[likely]] {
    if (!run_queue_.empty()) ++decision_count_;  // FIFO's 0: no preemption
    return;
  }
  preemption_point_slow(me, where);
}

void Simulation::preemption_point_slow(Fiber& me, SourceLocation where) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  require_in_fiber("preemption_point", where);
  if (unwinding_cancelled(me)) return;
  count_step(where);
  note_site(me, where);
  if (run_queue_.empty()) return;
  if (fifo_) {  // fifo never preempts: keep this path free of the switch's frame
    record(0, run_queue_.size() + 1);
    return;
  }
  preempt_slow(me);
}

// preempt_slow() is a preemption point under a strategy that may switch.
void Simulation::preempt_slow(Fiber& me) {
  Fiber& next = decide_from_queue(true);
  if (&next == &me) return;
  me.state = FiberState::runnable;
  run_queue_.push_back(&me);
  switch_to(next);
  cancel_point(me);
}

void Simulation::add_timer(TimerNode& node) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  if (node.when > now_) {
    timers_.push(node);
    return;
  }
  bool outer = in_timer_callback_;
  in_timer_callback_ = true;
  if (log_ != nullptr) [[unlikely]]
    log_timer(~std::uint64_t{0});
  node.fire(node);
  in_timer_callback_ = outer;
}

std::size_t Simulation::choose(std::size_t n, SourceLocation where) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  if (n == 0) fail_misuse("choose(0): no alternative to choose from", nullptr, where);
  if (n == 1) return 0;
  std::size_t d = fifo_ ? 0 : decider_->choose(n);
  record(d, n);
  return d;
}

bool Simulation::rarely(SourceLocation) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  std::size_t d = fifo_ ? 0 : decider_->choose_rarely();
  record(d, 2);
  return d == 1;
}

void Simulation::wait(SourceLocation where) {
  RaceIgnore ignore;  // the scheduler's bookkeeping (race detector)
  require_in_fiber("sim::wait()", where);
  if (waiter_ != nullptr)
    fail_misuse(fmt::format("sim::wait() while {} is already waiting", fiber_text(*waiter_)),
                nullptr, where);
  Fiber& me = *current_;
  cancel_point(me);
  count_step(where);
  me.site = where;
  if (run_queue_.empty()) {  // every other fiber is durably blocked already
    lockstep::detail::race_acquire(&waiter_);
    return;
  }
  me.state = FiberState::waiting;
  me.wait = WaitSite{"lockstep.sim.wait", nullptr, where};
  me.blocked_since = now_;
  waiter_ = &me;
  if (log_ != nullptr) [[unlikely]]
    log_park(me);
  switch_to(pick_next());
  cancel_point(me);
  lockstep::detail::race_acquire(&waiter_);
}

// ---- scheduling -------------------------------------------------------------

// race_slow() ends the run at the racy fiber's next scheduling point and
// stops that fiber there for good, not unwound: the point may lie in a
// destructor (an Atomic in a scope guard's), where the teardown's exception
// would end the process. Report::left_in_place counts it.
void Simulation::race_slow(SourceLocation where) {
  current_->site = where;
  end_run(Verdict::race, take_race(), current_);
  leave_in_place();
}

void Simulation::restart_livelock_budget() noexcept {
  std::uint64_t steps = steps_.load(std::memory_order_relaxed);
  livelock_at_ = steps + std::min(options_.livelock_steps, ~std::uint64_t{0} - steps);
}

void Simulation::livelock_slow(SourceLocation where) {
  current_->site = where;
  end_run_from_fiber(Verdict::livelock,
                     fmt::format("livelock: {} scheduling steps without virtual time moving",
                                 options_.livelock_steps));
}

Fiber& Simulation::decide_slow(bool current_first) {
  std::size_t queued = run_queue_.size();
  priorities_.clear();
  if (current_first) priorities_.push_back(current_->priority);
  for (std::size_t i = 0; i < queued; ++i) priorities_.push_back(run_queue_[i]->priority);
  std::size_t d = decider_->pick(priorities_.data(), priorities_.size());
  record(d, priorities_.size());
  if (current_first) {
    if (d == 0) return *current_;
    --d;
  }
  return *run_queue_.take(d);
}

// pick_next_slow() is pick_next() in every case: a runnable fiber; else
// the fiber in wait(); else, with main gone, the end (passed or leak); else
// the earliest timer, moving time; else deadlock.
Fiber& Simulation::pick_next_slow() {
  for (;;) {
    if (ending_) return home_;
    if (!run_queue_.empty()) return decide_from_queue(false);
    if (waiter_ != nullptr) {
      Fiber& w = *waiter_;
      waiter_ = nullptr;
      if (observes_) [[unlikely]]
        decider_->on_time_moved();  // wait() returns after everything runnable ran
      return w;
    }
    if (main_exited_) {
      if (live_count_ == 0)
        end_run(Verdict::passed, "passed");
      else
        end_run(Verdict::leak,
                fmt::format("leak: main returned but {} fiber{} remain{} blocked", live_count_,
                            live_count_ == 1 ? "" : "s", live_count_ == 1 ? "s" : ""));
      continue;
    }
    if (timers_.empty()) {
      end_run(Verdict::deadlock, "deadlock: all fibers are blocked and no timer is pending");
      continue;
    }
    advance_time_or_end();
  }
}

void Simulation::advance_time_or_end() {
  TimePoint next = timers_.earliest();
  if (next - kSimulationEpoch > options_.horizon) {
    end_run(Verdict::livelock,
            fmt::format("livelock: virtual time would pass the horizon of {} (next timer at +{})",
                        format_duration(options_.horizon), format_duration(next - kSimulationEpoch)));
    return;
  }
  now_ = next;
  restart_livelock_budget();
  if (log_ != nullptr) [[unlikely]]
    log_advance();
  if (observes_) [[unlikely]]
    decider_->on_time_moved();
  fire_due_timers();
}

// ---- verdicts ---------------------------------------------------------------

void Simulation::end_run(Verdict v, std::string message, Fiber* culprit) {
  if (ending_) return;
  ending_ = true;
  verdict_ = v;
  message_ = std::move(message);
  culprit_ = culprit;
  steps_at_verdict_ = steps_.load(std::memory_order_relaxed);
  switches_at_verdict_ = switches_;
  if (v != Verdict::passed) snapshot_ = snapshot();
  if (v == Verdict::deadlock || v == Verdict::leak) graph_ = wait_graph(snapshot_);
  if (log_ != nullptr) [[unlikely]]
    log_verdict();  // and stops logging: the teardown is not part of the run
}

void Simulation::end_run_from_fiber(Verdict v, std::string message) {
  end_run(v, std::move(message), current_);
  switch_to(home_);
  throw FiberCancelled{};  // resumed only to be torn down
}

// orphaned() is true if a fiber in f's line of spawners (not main, whose
// frame is kept) returned before f: f's closure may refer to that frame,
// whose memory another fiber may have reused, so unwinding f could touch it.
bool Simulation::orphaned(const Fiber& f) const noexcept {
  for (const Fiber* c = &f; c->spawner != nullptr && c->spawner_id != main_id_; c = c->spawner) {
    const Fiber& s = *c->spawner;
    if (s.id != c->spawner_id || s.exited) return true;  // returned (its record may be reused)
  }
  return false;
}

// leave() takes a fiber out of the run without unwinding it: its context and
// stack go to the graveyard, and its record is never reused (primitives may
// still list it as a waiter).
void Simulation::leave(Fiber& f) noexcept {
  (f.prev_live != nullptr ? f.prev_live->next_live : live_head_) = f.next_live;
  (f.next_live != nullptr ? f.next_live->prev_live : live_tail_) = f.prev_live;
  --live_count_;
  f.left_in_place = true;
  ++left_in_place_;
  if (f.context)
    bury(std::move(f.context), f.stack);
  else
    bury(take_body(f));  // it never ran: its closure is all there is
  close_race_ignores(f);
  tsan_destroy(f.tsan);
  f.tsan = nullptr;
}

// close_race_ignores() ends the race-detector ignores a fiber left in place
// stopped inside (a primitive's bookkeeping), on its TSan state, so that TSan
// may forget it: TSan aborts on destroying a fiber that still ignores.
void Simulation::close_race_ignores(Fiber& f) noexcept {
  if (f.tsan == nullptr || f.race_depth == 0) return;
  void* me = tsan_current();
  tsan_switch_unordered(f.tsan);
  lockstep::detail::race_end_ignores(std::exchange(f.race_depth, 0));
  tsan_switch_unordered(me);
}

std::vector<FiberSnapshot> Simulation::snapshot() const {
  std::vector<FiberSnapshot> out;
  out.reserve(live_count_);
  for (const Fiber* f = live_head_; f != nullptr; f = f->next_live) {
    FiberSnapshot s;
    s.id = f->id;
    s.name = f->name;
    s.state = f->state;
    s.spawned_at = f->spawned_at;
    s.site = f->site;
    if (f->state == FiberState::blocked || f->state == FiberState::waiting) {
      s.reason = f->wait.reason;
      if (f->wait.object != nullptr) s.object = f->wait.object->describe();
      s.since = f->blocked_since;
    }
    out.push_back(std::move(s));
  }
  return out;
}

WaitGraph Simulation::wait_graph() const { return wait_graph(snapshot()); }

// wait_graph(fibers) builds the graph over `fibers`, the snapshot() of now
// (the verdict passes the one it keeps for the report: at a million fibers,
// a second snapshot costs as much as the graph).
WaitGraph Simulation::wait_graph(const std::vector<FiberSnapshot>& fibers) const {
  // Durable: nothing runs, nothing is queued and no timer will fire, so what
  // is blocked now stays blocked.
  bool durable = run_queue_.empty() && timers_.empty();
  for (const Fiber* f = live_head_; f != nullptr; f = f->next_live)
    if (f->state == FiberState::running || f->state == FiberState::waiting) durable = false;
  WaitGraphBuilder builder(durable);
  std::size_t i = 0;
  for (const Fiber* f = live_head_; f != nullptr; f = f->next_live, ++i)
    builder.add(fibers[i], fibers[i].reason.empty() ? nullptr : f->wait.object);
  return std::move(builder).finish();
}

// finalize() runs at home once the verdict is set: it unwinds every fiber
// left, newest first (each resumes, its park throws FiberCancelled, its
// destructors run), and fills the report. A fiber whose unwinding could
// touch a frame that already returned is left in place instead (orphaned()),
// and so is one that misuses a primitive or blocks while unwinding.
void Simulation::finalize(Report& report) {
  TimePoint end = now_;
  run_queue_.clear();
  waiter_ = nullptr;
  // Newest first: a fiber's locals (a mutex, a channel) often outlive the
  // fibers it spawned, so those unwind while the locals still exist. Main's
  // frame is still there even if main returned (finish()).
  while (live_tail_ != nullptr) {
    Fiber& f = *live_tail_;
    if (orphaned(f) || f.left_in_place) {  // left_in_place: a race's culprit (race_slow())
      leave(f);
      continue;
    }
    f.cancel = true;
    switch_to(f);
    if (f.left_in_place) leave(f);
    run_queue_.clear();
  }
  while (!timers_.empty()) {  // time has stopped: pending timers never fire
    TimerNode& t = timers_.pop();
    if (t.discard != nullptr) t.discard(t);
  }
  report.verdict = verdict_;
  report.message = message_;
  report.exception = exception_;
  report.start = kSimulationEpoch;
  report.end = end;
  report.steps = steps_at_verdict_;  // teardown's own steps are not the run's
  report.switches = switches_at_verdict_;
  report.fibers_spawned = next_id_ - 1;
  report.peak_fibers = peak_;
  report.left_in_place = left_in_place_;
  report.seed = options_.seed;
  report.strategy = options_.strategy;
  report.decision_count = decision_count_;
  report.decisions = std::move(decisions_);
  report.replay_token = make_token(options_.strategy, options_.seed);
  report.fibers = std::move(snapshot_);
  report.graph = std::move(graph_);
}

}  // namespace lockstep::sim::detail
