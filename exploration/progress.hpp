// ThrottledProgress: progress of a long run on stderr, at most once a second.
//
//   ThrottledProgress progress(std::cerr);
//   progress("mistakes/leak_no_stop", 500, 2000);   // "  mistakes/leak_no_stop: 500/2000 schedules"
//
// The clock is the real steady clock: the runner is outside any simulation
// and the schedules never see it. The first line comes a second after the
// start, so runs shorter than that print nothing (and tests see no noise).
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string_view>

namespace lockstep::exploration {

class ThrottledProgress {
 public:
  explicit ThrottledProgress(std::ostream& err) : err_(err) {}

  // operator() prints one line if a second has passed since the last one.
  void operator()(std::string_view name, std::uint64_t done, std::uint64_t planned) {
    auto now = std::chrono::steady_clock::now();
    if (now < next_) return;
    next_ = now + std::chrono::seconds(1);
    err_ << fmt::format("  {}: {}/{} schedules\n", name, done, planned) << std::flush;
  }

 private:
  std::ostream& err_;
  std::chrono::steady_clock::time_point next_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
};

}  // namespace lockstep::exploration
