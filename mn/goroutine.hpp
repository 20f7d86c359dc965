// Goroutine: a task of the M:N runtime. A fiber with its own pooled stack,
// run by whichever worker picks it, moving between worker threads at any park
// or yield.
//
// States (GState); who makes each transition:
//
//   free ─spawn─> runnable ─a worker picks it─> running ─park()─> parked
//                   ^  ^                          │ │ │              │
//                   │  └───────yield()────────────┘ │ └─exit─> free  │
//                   │                               │ ready() first  │
//                   │                               v                │
//                   └────── park() completes ── notified             │
//                   └──────────────────ready()───────────────────────┘
//   parked <─> pinned: a dump reads the wait site; ready() waits for it.
//
//  - running -> parked happens on the next context's stack, after the
//    goroutine's context is saved (switch.hpp), and only then does park()'s
//    unlock run: a ready() that needs the primitive's lock always finds it
//    parked. A ready() without the lock (a timer) may come earlier, while the
//    goroutine is still running towards its park: it leaves `notified`, and
//    the park completes as runnable instead (no lost wake-up, no spurious
//    return: park() returns only after a ready()).
//  - `context` holds the saved continuation while the goroutine is not
//    running; whoever moves it out of runnable owns it.
//
// Records are never freed: a free record is reused by a later spawn (so a
// dump may walk every record ever made, under AllGoroutines' lock). The
// fields a dump reads that a spawn rewrites (id, name, spawn site) are
// written under `guard`.
#pragma once

#include <boost/context/fiber.hpp>

#include <atomic>
#include <cstdint>
#include <string>

#include "runtime/eh_state.hpp"
#include "runtime/sanitizer_hooks.hpp"
#include "runtime/seam.hpp"
#include "mn/spin_lock.hpp"
#include "runtime/stack_pool.hpp"
#include "threads/parker.hpp"

namespace lockstep::mn::detail {

using lockstep::detail::Body;
using lockstep::detail::Task;
using lockstep::detail::TimerNode;
using lockstep::detail::Unlock;
using lockstep::detail::WaitSite;

enum class GState : std::uint32_t {
  free,      // not a goroutine now: on a free list
  runnable,  // in a run queue: runnext, a worker's local queue or the global queue
  running,   // on a worker thread; `context` is empty
  parked,    // switched out in park(), waiting for ready()
  notified,  // ready() came while it was still running towards its park
  pinned,    // parked, and a dump is describing what it waits on
};

struct Goroutine : Task {
  std::atomic<GState> state{GState::free};
  boost::context::fiber context;  // saved continuation (see the file comment)
  Body body;
  lockstep::detail::Stack stack;
  lockstep::detail::EhState eh;
  lockstep::detail::AsanStack asan;
  void* tsan = nullptr;
  SpinLock guard;  // id, name, spawned_at: rewritten by a spawn while a dump reads

  // The wait, written by the goroutine before it parks; read by dumps while
  // it is pinned.
  WaitSite wait;
  TimePoint since;

  // Inside lockstep::blocking() the goroutine has its thread to itself and
  // parks on the thread (parker), not through the scheduler. Its object is
  // then described at park time, as a thread's is. Guarded by `guard`.
  std::atomic<bool> on_thread{false};
  int blocking_depth = 0;  // nested blocking() calls; only the outer one hands off
  bool thread_parked = false;
  std::string thread_object;
  threads::detail::Parker parker;

  Goroutine* link = nullptr;  // in the global queue or a free list; owned by its holder
};

}  // namespace lockstep::mn::detail
