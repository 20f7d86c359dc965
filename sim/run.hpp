// sim::run and sim::wait: the entry points of a simulation.
//
//   auto report = lockstep::sim::run([] {
//     lockstep::go([] { lockstep::sleep(1s); });
//     lockstep::sim::wait();                  // the other fiber is asleep
//     lockstep::sleep(2s);                    // time jumps; it wakes and exits
//   });
//   assert(report.passed() && report.elapsed() == 2s);
//
// run() blocks the calling thread until the simulation reaches a verdict and
// returns the report; it never throws for what happens inside (an exception
// escaping a fiber becomes the exception verdict), only for bad options or a
// nested call. Several simulations may run at once on different threads; a
// thread runs one at a time.
#pragma once

#include "runtime/seam.hpp"
#include "sim/options.hpp"
#include "sim/report.hpp"

namespace lockstep::sim {

// run() runs `root` as the main fiber of a new simulation. Misuse if called
// from inside a simulation, or with an empty function or bad options.
Report run(lockstep::detail::Body root, const Options& options = {},
           SourceLocation where = SourceLocation::current());

// wait() is Go's synctest.Wait: it blocks until every other fiber of the
// simulation is durably blocked and no timer is due at the current instant.
// It never moves virtual time. Misuse outside a simulation, or while another
// fiber is already in wait().
void wait(SourceLocation where = SourceLocation::current());

// in_simulation() is true on a fiber of a running simulation.
bool in_simulation() noexcept;

}  // namespace lockstep::sim
