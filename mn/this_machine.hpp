// The Machine (worker thread) the calling thread is, if any.
#pragma once

namespace lockstep::mn::detail {

struct Machine;

// machine_here() is the calling thread's Machine, null on a thread that is not
// a worker. Out of line on purpose: code that switched goroutines may go on
// on another thread, and a compiler may reuse a thread pointer it read
// before the switch; a call reads it anew.
Machine* machine_here() noexcept;
void set_this_machine(Machine* m) noexcept;

}  // namespace lockstep::mn::detail
