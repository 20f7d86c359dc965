// Monitor: a liveness property checked in virtual time, Coyote's hot/cold
// monitor with a bound.
//
//   sim::Monitor answered("quote answered", 2s);
//   answered.hot();            // a request was accepted: the clock starts
//   ... reply.send(quote) ...
//   answered.cold();           // answered: the clock stops
//
// A monitor is cold when created. hot() starts its clock; cold() stops it.
// In a simulation, a monitor still hot `bound` after it became hot ends the
// run at that exact virtual instant with the liveness verdict:
//
//   liveness: monitor "quote answered" hot for 2s since +1s (bound 2s)
//
// with the goroutine dump of that instant and the replay token, like any
// verdict. The check is a timer of the simulation: it fires when the clock
// reaches hot-since + bound, before any fiber runs at that instant, so the
// monitor must be cold strictly before then (a reply due "within 2s" that
// comes at +2s exactly is late). It is checked on every schedule, and costs
// one timer per hot period, nothing per scheduling step.
//
// The deadline is a pending timer like any other: a program that blocks
// for good while a monitor is hot ends at the bound with the liveness verdict
// (its dump shows the blocked fibers), not later as a deadlock.
//
// A program that is merely slow, not stuck, passes every other detector: it
// never deadlocks, never leaks, and its clock moves. The livelock verdict
// stays for spinning without virtual time moving.
//
// hot() while hot and cold() while cold do nothing: the clock runs from the
// first hot(). One monitor per independent obligation ("every accepted
// request is answered within 2s" is one monitor per request). Destroying a
// hot monitor stops its clock, as cold() does. A monitor created outside a
// simulation or used in one only while cold may be used by several runs one
// after another; a monitor hot in one simulation and touched from another is
// misuse. Outside a simulation (real mode) hot() and cold() record the state
// only: nothing is checked, so the same code can ship with its monitors.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/clock.hpp"
#include "runtime/seam.hpp"
#include "runtime/source_location.hpp"

namespace lockstep::sim {

namespace detail {
class Simulation;
}

class Monitor {
 public:
  // Monitor() is cold. Misuse for an empty name or a bound that is not positive.
  Monitor(std::string name, Duration bound, SourceLocation where = SourceLocation::current());
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // hot() starts the clock, if cold; never blocks.
  void hot(SourceLocation where = SourceLocation::current());
  // cold() stops it, if hot; never blocks.
  void cold(SourceLocation where = SourceLocation::current());

  bool is_hot() const noexcept { return hot_; }
  // hot_since() is when the current hot period began (the runtime's clock).
  TimePoint hot_since() const noexcept { return since_; }
  const std::string& name() const noexcept { return name_; }
  Duration bound() const noexcept { return bound_; }

 private:
  // The bound's timer; `self` leads back from the heap's node.
  struct Deadline : lockstep::detail::TimerNode {
    Monitor* self = nullptr;
  };
  static void expire(lockstep::detail::TimerNode& node);
  sim::detail::Simulation* owner(SourceLocation where) const;

  std::string name_;
  Duration bound_;
  bool hot_ = false;
  TimePoint since_{};
  Deadline deadline_;
  // The simulation whose heap holds deadline_ while it is pending
  // (lockstep::detail::Runtime::identity()); 0 outside one.
  std::uint64_t runtime_ = 0;
};

}  // namespace lockstep::sim
