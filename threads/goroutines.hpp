// Goroutine accounting: how many goroutines live, what they wait on, and a
// leak check for real-thread tests (goleak's VerifyNone).
//
//   lockstep::LeakCheck leaks;             // baseline: the goroutines alive now
//   run_the_code_under_test();
//   leaks.verify(2s);                      // waits up to 2s for the extra ones to end
//
// num_goroutines() and goroutine_dump() work in both modes: in a simulation
// they count and show its fibers (main included), as the verdicts' dumps do;
// on real threads, the goroutines started by go() (not main, nor threads
// started otherwise, which the dump shows only while they are blocked in a
// lockstep primitive). The dump has the simulation's format: groups by state,
// wait reason, blocking site and spawn site, one line per goroutine with the
// object it waits on ("chan<int> #g3 cap=0 len=0") and since when.
//
// The leak check is for real threads: in a simulation, the leak verdict does
// the same job exactly, so LeakCheck there is misuse.
#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "runtime/clock.hpp"
#include "runtime/source_location.hpp"

namespace lockstep {

// num_goroutines() is the number of live goroutines. Never blocks.
std::size_t num_goroutines() noexcept;
// goroutine_dump() is the grouped dump of the live goroutines.
std::string goroutine_dump();

// Thrown by LeakCheck::verify(): what() says how many goroutines outlived the
// check, where it started, and holds the grouped dump.
class GoroutineLeak : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LeakCheck {
 public:
  // LeakCheck() records the goroutines alive now as the baseline.
  explicit LeakCheck(SourceLocation where = SourceLocation::current());
  std::size_t baseline() const noexcept { return baseline_; }
  // verify() blocks until at most baseline() goroutines live and returns;
  // throws GoroutineLeak if more still live after `timeout`.
  void verify(Duration timeout = std::chrono::seconds(5)) const;

 private:
  std::size_t baseline_;
  SourceLocation where_;
};

}  // namespace lockstep
