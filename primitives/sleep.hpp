// sleep, sleep_until, yield: giving up the CPU for a while.
//
// In a simulation, sleep(d) parks the fiber ("sleep", durably blocked) until
// virtual time reaches now + d; time jumps there as soon as nothing else can
// run, so sleep(1h) costs microseconds. sleep(d) with d <= 0 returns at once,
// as in Go (it is still a scheduling point). yield() is Go's Gosched: under
// FIFO every other runnable fiber runs first; other strategies choose among
// all runnable fibers, the yielder included. It never moves time.
//
// Outside a simulation these are std::this_thread::sleep_for / yield on the
// real clock.
#pragma once

#include "runtime/clock.hpp"
#include "runtime/source_location.hpp"

namespace lockstep {

// sleep() blocks for `timeout` of the runtime's time.
void sleep(Duration timeout, SourceLocation where = SourceLocation::current());
// sleep_until() blocks until Clock::now() >= deadline.
void sleep_until(TimePoint deadline, SourceLocation where = SourceLocation::current());
// yield() lets other runnable fibers (threads) run; returns without blocking.
void yield(SourceLocation where = SourceLocation::current());

}  // namespace lockstep
