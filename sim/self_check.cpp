#include "sim/self_check.hpp"

#include <fmt/format.h>

#include <memory>

#include "sim/simulation.hpp"
#include "sim/trace.hpp"

namespace lockstep::sim::detail {

std::string first_difference(const EventLog& first, const EventLog& second) {
  if (first.hash() == second.hash()) return {};
  const auto& a = first.events();
  const auto& b = second.events();
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  auto at = [](const std::vector<Event>& events, std::size_t k) {
    return k < events.size() ? describe(events[k]) : std::string{"(none: the run had ended)"};
  };
  return fmt::format(
      "nondeterminism: the same schedule ran differently twice (event digests {:#018x} and "
      "{:#018x}); first difference at event {}: first run \"{}\", second run \"{}\"",
      first.hash(), second.hash(), i + 1, at(a, i), at(b, i));
}

Report run_checked(lockstep::detail::Body root, const Options& options, const std::string& trace_path,
                   SourceLocation where) {
  // One closure, called by both runs' main fibers.
  auto shared = std::make_shared<lockstep::detail::Body>(std::move(root));
  EventLog logs[2];
  Report reports[2];
  for (int i = 0; i < 2; ++i) {
    Simulation simulation(options, where);
    simulation.set_log(&logs[i]);
    reports[i] = simulation.run([shared] { (*shared)(); }, where);
  }
  if (!trace_path.empty()) write_chrome_trace(logs[0], trace_path, where);
  Report& report = reports[0];
  std::string difference = first_difference(logs[0], logs[1]);
  if (!difference.empty()) {
    if (!report.passed()) difference += fmt::format("; the first run ended: {}", report.message);
    report.verdict = Verdict::nondeterminism;
    report.message = std::move(difference);
  }
  return std::move(report);
}

}  // namespace lockstep::sim::detail
