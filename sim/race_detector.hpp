// The race detector's side of the simulation: ThreadSanitizer's reports of
// a data race between two simulated fibers become the `race` verdict.
//
// Only in a build with LOCKSTEP_RACE_DETECTOR (runtime/race.hpp). There TSan
// calls its weak report hook (__tsan::OnReport) from inside the racy access;
// nothing may unwind from there, so the hook only copies what the report
// says (both accesses, both fibers' names, both stacks) and marks the race
// pending. The fiber that made the access ends the run at its next
// scheduling point or its exit (Simulation::count_step, finish), so the
// report's current fiber is the dump's `running` one:
//
//   race: data race: read by fiber 3 "bump-b" at app/counter.cpp:40,
//     unordered with an earlier write by fiber 2 "bump-a" at app/counter.cpp:40
//
// (one line; a site is the first frame outside the system's headers). A report while no simulation runs on the thread is TSan's as
// usual (printed, exit code 66); one during a simulation is never printed:
// its verdict says it. Reports after a run's verdict (its teardown) are
// dropped: the run is over.
//
// Invariant: at most one race is pending, the first since clear_race().
#pragma once

#include <cstddef>
#include <string>

namespace lockstep::sim::detail {

// race_pending() is true once TSan reported a race in this thread's run.
// take_race() returns the pending race's verdict message and clears it.
// clear_race() forgets a pending race (a run starts or is over).
// race_name_fiber() names a fiber's TSan state as dumps name the fiber
// (`fiber 3 "bump"`), for the verdict and TSan's own reports.
// race_fresh_stack() gives a pooled stack fresh, zeroed pages, so that TSan
// forgets the accesses of the fibers that used it before (the canary reads
// zero still). Without it, a fiber's locals on a reused stack would race
// with a dead fiber's.
// Outside the race-detector build they do nothing, inline.
#if defined(LOCKSTEP_RACE_DETECTOR)
constinit inline thread_local bool race_reported_ = false;
inline bool race_pending() noexcept { return race_reported_; }
std::string take_race();
void clear_race() noexcept;
void race_name_fiber(void* tsan, const std::string& name) noexcept;
void race_fresh_stack(void* base, std::size_t size) noexcept;
#else
constexpr bool race_pending() noexcept { return false; }
inline std::string take_race() { return {}; }
inline void clear_race() noexcept {}
inline void race_name_fiber(void*, const std::string&) noexcept {}
inline void race_fresh_stack(void*, std::size_t) noexcept {}
#endif

}  // namespace lockstep::sim::detail
