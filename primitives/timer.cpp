#include "primitives/timer.hpp"

#include <mutex>

#include "primitives/internal/blocking.hpp"
#include "runtime/object_lock.hpp"
#include "runtime/race.hpp"

namespace lockstep::detail {

// One timer, ticker or after_func. While pending it keeps itself alive
// (`keepalive`): the runtime's heap refers to it, whoever holds handles.
struct TimerState final : TimerNode, Describes<TimerState>, std::enable_shared_from_this<TimerState> {
  Runtime* runtime = nullptr;  // null once the runtime discarded it
  Owner owner;
  Chan<TimePoint> chan;                            // nil for after_func
  Duration period{0};                              // > 0 for a ticker
  std::shared_ptr<UniqueFunction<void()>> func;    // after_func's body
  SourceLocation site;
  std::shared_ptr<TimerState> keepalive;
  // Serializes stop/reset among threads; a firing timer does not take it
  // (cancel_timer() waits for the fire to end instead).
  std::mutex ops;

  std::string describe() const { return period.count() > 0 ? "ticker" : "timer"; }

  void arm(TimePoint deadline) {
    when = deadline;
    keepalive = shared_from_this();
    runtime->add_timer(*this);  // fires at once if the deadline is not in the future
  }
  // disarm() stops a pending timer and drops an untaken value; true if it
  // was pending or a value was dropped. Counting a dropped value as "stopped"
  // is Go 1.23's rule (runtime/time.go, timerchandrain): a fire nobody
  // received is undone, so `if (!t.stop()) t.chan().recv();` never blocks on
  // a value that stop() itself threw away.
  bool disarm() {
    bool pending = runtime->cancel_timer(*this);
    if (pending) keepalive.reset();  // a handle still holds the state
    if (chan.is_nil()) return pending;
    auto* c = chan.state();
    c->lock.lock();
    bool dropped = c->drop_buffered_locked();
    c->lock.unlock();
    return pending || dropped;
  }
};

namespace {

TimePoint deadline_after(Runtime& rt, Duration d) {
  TimePoint now = rt.now();
  if (d <= Duration::zero()) return now;
  return d > TimePoint::max() - now ? TimePoint::max() : now + d;
}

void fire(TimerNode& node) {
  auto& t = static_cast<TimerState&>(node);
  std::shared_ptr<TimerState> keep = std::move(t.keepalive);
  if (t.func) {
    auto body = t.func;
    t.runtime->spawn(Body([body] { (*body)(); }), std::string{}, t.site);
  } else {
    // A tick nobody took yet is not overwritten: the new one is dropped.
    TimePoint value = t.when;
    auto* c = t.chan.state();
    WakeList wake;
    c->lock.lock();
    c->try_send_locked(value, wake);
    c->lock.unlock();
    wake.ready_all(*t.runtime);
  }
  if (t.period > Duration::zero()) {
    // The next tick not yet due: on real threads a slow fire may have missed
    // some, which are dropped, as Go's ticker drops them for slow receivers.
    // In a simulation the fire is on time, so this is when + period.
    auto missed = (t.runtime->now() - t.when) / t.period;
    t.arm(t.when + (missed + 1) * t.period);
  }
}

void discard(TimerNode& node) {
  auto& t = static_cast<TimerState&>(node);
  t.runtime = nullptr;
  t.keepalive.reset();  // may destroy `t`: nothing touches it after this
}

std::shared_ptr<TimerState> make_state(SourceLocation where) {
  Runtime& rt = *current_runtime();
  auto t = std::make_shared<TimerState>();
  t->runtime = &rt;
  t->site = where;
  t->fire = &fire;
  t->discard = &discard;
  return t;
}

TimerState& checked(const std::shared_ptr<TimerState>& t, SourceLocation where) {
  operation_point(where);
  (void)t->owner.check(*t, where);  // never buried: the state lives while a handle does
  return *t;
}

}  // namespace
}  // namespace lockstep::detail

namespace lockstep {

Timer::Timer(Duration timeout, SourceLocation where)
    : state_(detail::make_state(where)) {
  state_->chan = Chan<TimePoint>(1);
  state_->arm(detail::deadline_after(*state_->runtime, timeout));
}

RecvChan<TimePoint> Timer::chan() const { return state_->chan; }

bool Timer::stop(SourceLocation where) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  detail::TimerState& t = detail::checked(state_, where);
  std::lock_guard serial(t.ops);
  return t.disarm();
}

bool Timer::reset(Duration timeout, SourceLocation where) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  detail::TimerState& t = detail::checked(state_, where);
  std::lock_guard serial(t.ops);
  bool pending = t.disarm();
  t.arm(detail::deadline_after(*t.runtime, timeout));
  return pending;
}

Ticker::Ticker(Duration period, SourceLocation where) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  if (period <= Duration::zero())
    detail::fail_misuse(fmt::format("non-positive interval {} for Ticker", format_duration(period)),
                        nullptr, where);
  state_ = detail::make_state(where);
  state_->chan = Chan<TimePoint>(1);
  state_->period = period;
  state_->arm(detail::deadline_after(*state_->runtime, period));
}

RecvChan<TimePoint> Ticker::chan() const { return state_->chan; }

void Ticker::stop(SourceLocation where) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  detail::TimerState& t = detail::checked(state_, where);
  std::lock_guard serial(t.ops);
  t.disarm();
}

void Ticker::reset(Duration period, SourceLocation where) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  if (period <= Duration::zero())
    detail::fail_misuse(fmt::format("non-positive interval {} for Ticker.reset", format_duration(period)),
                        state_.get(), where);
  detail::TimerState& t = detail::checked(state_, where);
  std::lock_guard serial(t.ops);
  t.disarm();
  t.period = period;
  t.arm(detail::deadline_after(*t.runtime, period));
}

RecvChan<TimePoint> after(Duration timeout, SourceLocation where) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  return Timer(timeout, where).chan();
}

Timer after_func(Duration timeout, detail::UniqueFunction<void()> f, SourceLocation where) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  if (!f) detail::fail_misuse("after_func of an empty function", nullptr, where);
  auto state = detail::make_state(where);
  state->func = std::make_shared<detail::UniqueFunction<void()>>(std::move(f));
  state->arm(detail::deadline_after(*state->runtime, timeout));
  return Timer(std::move(state));
}

}  // namespace lockstep
