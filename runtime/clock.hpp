// Clock: lockstep's std::chrono clock, virtual inside a simulation.
//
// Inside a simulation, Clock::now() is the simulation's virtual time. It
// starts at 2000-01-01 00:00:00 UTC (as Go's synctest bubble), moves only when
// no fiber can run, and then jumps straight to the earliest pending timer.
// Computation takes no virtual time.
//
// Outside any simulation, Clock::now() is the steady clock shifted once, at
// first use, so that it reads as Unix time: monotonic (deadlines never go
// backwards) and close to the wall clock. It does not follow later wall-clock
// adjustments; to_system() converts either kind of time point for display.
//
// Time points count nanoseconds since the Unix epoch in both modes, so a
// time point can be printed with format_time() and compared across modes.
#pragma once

#include <chrono>
#include <string>

namespace lockstep {

class Clock {
 public:
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<Clock, duration>;
  static constexpr bool is_steady = true;

  // now() returns virtual time inside a simulation, shifted steady time
  // outside. Never blocks.
  static time_point now() noexcept;

  static std::chrono::system_clock::time_point to_system(time_point t) noexcept {
    return std::chrono::system_clock::time_point{
        std::chrono::duration_cast<std::chrono::system_clock::duration>(t.time_since_epoch())};
  }
};

using Duration = Clock::duration;
using TimePoint = Clock::time_point;

// Where every simulation's clock starts: 2000-01-01 00:00:00 UTC.
inline constexpr TimePoint kSimulationEpoch{std::chrono::seconds{946684800}};

// format_time() renders a time point as UTC ISO 8601 with the fraction
// trimmed: "2000-01-01T00:00:01.5Z".
std::string format_time(TimePoint t);
// format_duration() renders a duration compactly and exactly: "1h2m3.5s",
// "250ms", "0s", "-3us".
std::string format_duration(Duration d);

namespace detail {
// real_now() is the shifted steady clock, Clock::now() outside a simulation.
TimePoint real_now() noexcept;
// real_now_coarse() is real_now() at the kernel's tick resolution (a few
// milliseconds) for a fraction of the cost: for stamps only dumps read.
TimePoint real_now_coarse() noexcept;
// to_steady() converts a real time point back to the steady clock, to wait on.
std::chrono::steady_clock::time_point to_steady(TimePoint t) noexcept;
}  // namespace detail

}  // namespace lockstep
