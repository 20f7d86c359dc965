// Processor and Machine: the M:N runtime's workers, after Go's P and M.
//
// A Processor (P) is what a worker needs to run goroutines: its local run
// queue, its runnext slot, a cache of free goroutine records and stacks. There are N of them (LOCKSTEP_PROCS, default the number of CPUs).
//
// A Machine (M) is an OS thread. Normally M i holds P i for life, and runs the
// scheduling loop on its own stack ("g0"): pick a runnable goroutine, switch
// to it; goroutines switch among themselves directly (a park or a yield picks
// the next goroutine on the same P), and back to g0 only when the P runs dry.
// An M gives its P away while a goroutine on it makes a blocking call
// (lockstep::blocking()): another M, a spare one or a new one, takes the P
// and runs its goroutines meanwhile; the first M then parks as a spare.
//
// Field ownership: "owner" fields are touched only by the M holding the P;
// the rest are atomics, or guarded as said.
#pragma once

#include <boost/context/fiber.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "mn/goroutine.hpp"
#include "mn/run_queue.hpp"
#include "mn/timers.hpp"

namespace lockstep::mn::detail {

struct Machine;

struct alignas(64) Processor {
  unsigned index = 0;
  LocalQueue queue;
  // The goroutine to run next, ahead of the queue: one readied by a goroutine
  // of this P (a ping-pong stays on one worker, as in Go). Taken by thieves
  // only when the monitor flags the P stuck.
  std::atomic<Goroutine*> runnext{nullptr};
  std::atomic<std::uint32_t> sleep_word{0};  // futex an idle P's M sleeps on; 1: woken

  std::atomic<Goroutine*> running{nullptr};    // for the monitor and dumps
  std::atomic<std::uint64_t> switches{0};      // bumped at every switch: the monitor's heartbeat
  std::atomic<bool> stuck{false};              // set by the monitor: thieves may take runnext
  std::atomic<std::int64_t> live{0};           // goroutines spawned here minus exited here

  // Owner fields.
  std::uint64_t ticks = 0;            // schedules, for global-queue fairness
  std::uint32_t runnext_streak = 0;   // runnext taken in a row, for local-queue fairness
  Goroutine* free_records = nullptr;  // reusable goroutine records
  std::uint32_t free_count = 0;
  std::vector<lockstep::detail::Stack> stacks;  // reusable stacks

  // The monitor's own fields.
  std::uint64_t seen_switches = 0;
  std::int64_t quiet_since = 0;  // ns: when `switches` last changed
  bool reported = false;
};

struct Machine {
  Processor* p = nullptr;  // the P it holds; null while spare, or in a blocking call
  Goroutine* g = nullptr;  // the goroutine it runs; null on g0
  boost::context::fiber g0;  // its own context, while a goroutine runs
  lockstep::detail::EhState g0_eh;
  lockstep::detail::AsanStack g0_asan;
  void* g0_tsan = nullptr;
  void* tsan_to_destroy = nullptr;  // an exited goroutine's, freed once off its stack

  // Handing a P to a spare M. Guarded by `mutex`.
  std::mutex mutex;
  std::condition_variable handed;
  Processor* given = nullptr;
  Machine* next_spare = nullptr;  // guarded by the runtime's spare lock
};

}  // namespace lockstep::mn::detail
