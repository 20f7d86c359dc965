// Misuse: the error every lockstep primitive and the simulator raise when
// they are used wrongly (send on a closed channel, unlock of an unlocked
// mutex, sim::wait() outside a simulation, a malformed replay token...).
//
// The message names who did it (the fiber, or "a thread outside any
// simulation"), on what object, and where:
//   lockstep: sim::wait() while fiber 2 "poller" is already waiting
//     (in fiber 3 "checker", at sim/tests/wait_test.cpp:40)
//
// Inside a simulation an uncaught Misuse ends the run with the "misuse"
// verdict (other exceptions give "exception"); outside, it propagates like any
// std::logic_error.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "runtime/seam.hpp"

namespace lockstep {

class Misuse : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {

// describe_task() names a task as dumps and errors do: `fiber 3 "checker"`,
// or `fiber 3` when it has no name.
std::string describe_task(const Task& t);

// describe_caller() names the calling task: `fiber 3 "checker"`, or
// "a thread outside any simulation".
std::string describe_caller();

// fail_misuse() throws Misuse with `what`, the object (if any), the caller
// and `where`. In a task its simulation is tearing down, it leaves the task
// in place instead (Runtime::leave_in_place()): the run already has its
// verdict, and a throw from an unwinding destructor would terminate.
[[noreturn]] void fail_misuse(std::string_view what, const Waitable* object,
                              SourceLocation where);

}  // namespace detail
}  // namespace lockstep
