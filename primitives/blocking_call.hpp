// blocking(f): a call that blocks its OS thread, made without stalling other
// goroutines (Go does this for every system call; C++ cannot tell).
//
//   auto text = lockstep::blocking([&] { return read_whole_file(path); });
//   lockstep::blocking([&] { sqlite3_step(stmt); });
//
// Under the M:N runtime (real mode's default) a goroutine runs on one of a
// few worker threads, with other goroutines queued behind it. A call that
// blocks the thread (file I/O, a blocking socket, a C library that waits,
// std::this_thread::sleep_for) stalls them all. blocking() hands the
// worker's queue to another thread for the duration of f (Go's
// entersyscall/exitsyscall), then puts the goroutine back in a run queue.
// Inside f, lockstep primitives still work: a goroutine that waits on one
// then sleeps on its thread. Nested blocking() calls hand off once.
//
// Blocking without blocking() is not an error, but the runtime's monitor
// reports a worker held by one goroutine for longer than
// LOCKSTEP_STALL_REPORT_MS (default 100) with the goroutine's name and spawn
// site.
//
// On the thread-per-goroutine runtime, on a thread that is not a goroutine,
// and in a simulation (one thread, no other worker), blocking(f) just calls
// f. Returns what f returns; an exception from f passes through.
#pragma once

#include <utility>

#include "runtime/seam.hpp"

namespace lockstep {

namespace detail {
// BlockingScope brackets a blocking call: enter_blocking() on entry,
// exit_blocking() on exit, even by exception.
class BlockingScope {
 public:
  BlockingScope() : runtime_(current_runtime()) { runtime_->enter_blocking(); }
  ~BlockingScope() { runtime_->exit_blocking(); }
  BlockingScope(const BlockingScope&) = delete;
  BlockingScope& operator=(const BlockingScope&) = delete;

 private:
  Runtime* runtime_;
};
}  // namespace detail

template <class F>
decltype(auto) blocking(F&& f) {
  detail::BlockingScope scope;
  return std::forward<F>(f)();
}

}  // namespace lockstep
