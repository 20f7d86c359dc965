#include "threads/goroutines.hpp"

#include <fmt/format.h>

#include "runtime/misuse.hpp"

namespace lockstep {

std::size_t num_goroutines() noexcept { return detail::current_runtime()->live_tasks(); }

std::string goroutine_dump() { return detail::current_runtime()->dump(); }

LeakCheck::LeakCheck(SourceLocation where) : where_(where) {
  if (detail::in_simulation())
    detail::fail_misuse("LeakCheck in a simulation (its leak verdict checks this already)", nullptr,
                        where);
  baseline_ = num_goroutines();
}

void LeakCheck::verify(Duration timeout) const {
  detail::Runtime& rt = detail::real_runtime();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (rt.wait_for_live(baseline_, deadline)) return;
  std::size_t now = rt.live_tasks();
  if (now <= baseline_) return;  // the last one ended just now
  throw GoroutineLeak(fmt::format(
      "lockstep: {} goroutine{} outlived the leak check started at {}:{} ({} then, {} after "
      "waiting {})\n{}",
      now - baseline_, now - baseline_ == 1 ? "" : "s", where_.file_name(), where_.line(),
      baseline_, now, format_duration(timeout), rt.dump()));
}

}  // namespace lockstep
