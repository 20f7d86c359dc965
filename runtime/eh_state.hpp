// EhState: the C++ runtime's per-thread exception state, swapped at every
// switch between fibers (a simulation's, the M:N runtime's goroutines).
//
// The C++ runtime keeps the caught-exception stack and the uncaught count per
// thread (__cxa_eh_globals). A fiber that suspends inside a catch block would
// see another fiber's exceptions, so every switch swaps them (Itanium ABI,
// libstdc++ layout). A goroutine that moves to another thread takes its
// state along the same way.
#pragma once

namespace lockstep::detail {

struct EhState {
  void* caught = nullptr;
  unsigned uncaught = 0;
};
// exchange_eh_state() installs `next` in this thread's globals (from
// abi::__cxa_get_globals(), for the switching thread) and returns what was
// there.
struct AbiEhGlobals {  // libstdc++'s __cxa_eh_globals
  void* caughtExceptions;
  unsigned int uncaughtExceptions;
};
inline EhState exchange_eh_state(void* globals, EhState next) noexcept {
  auto* g = static_cast<AbiEhGlobals*>(globals);
  EhState prev{g->caughtExceptions, g->uncaughtExceptions};
  g->caughtExceptions = next.caught;
  g->uncaughtExceptions = next.uncaught;
  return prev;
}

// unwinding() is std::uncaught_exceptions() > 0 read from the globals at
// hand, without a call: true while an exception unwinds the running fiber.
inline bool unwinding(void* globals) noexcept {
  return static_cast<AbiEhGlobals*>(globals)->uncaughtExceptions > 0;
}

}  // namespace lockstep::detail
