#include "sim/run.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "runtime/misuse.hpp"
#include "sim/self_check.hpp"
#include "sim/simulation.hpp"
#include "runtime/stack_pool.hpp"
#include "sim/trace.hpp"

namespace lockstep::sim {

using lockstep::detail::fail_misuse;

namespace detail {

void require_runnable(const lockstep::detail::Body& root, const char* what, SourceLocation where) {
  if (Simulation::on_this_thread() != nullptr)
    fail_misuse(fmt::format("{} called from within a simulation (simulations do not nest)", what), nullptr,
                where);
  if (!root) fail_misuse(fmt::format("{} of an empty function", what), nullptr, where);
}

}  // namespace detail

Report run(lockstep::detail::Body root, const Options& options, SourceLocation where) {
  detail::require_runnable(root, "sim::run()", where);
  // The trace file: the option, else LOCKSTEP_TRACE. The options are not
  // copied on this path: a fuzz loop calls run() hundreds of thousands of times.
  std::string env_trace;
  if (options.trace_path.empty())
    if (const char* env = std::getenv("LOCKSTEP_TRACE"); env != nullptr) env_trace = env;
  const std::string& trace = options.trace_path.empty() ? env_trace : options.trace_path;
  Report report;
  if (options.self_check) {
    report = detail::run_checked(std::move(root), options, trace, where);
  } else {
    detail::EventLog log;
    detail::Simulation simulation(options, where);
    if (!trace.empty()) simulation.set_log(&log);
    report = simulation.run(std::move(root), where);
    if (!trace.empty()) detail::write_chrome_trace(log, trace, where);
  }
  if (!options.graph_path.empty() && !report.graph.empty())
    detail::write_text_file(report.graph.dot(), options.graph_path, "the wait-for graph", where);
  return report;
}

void wait(SourceLocation where) {
  detail::Simulation* sim = detail::Simulation::on_this_thread();
  if (sim == nullptr) fail_misuse("sim::wait() outside a simulation", nullptr, where);
  sim->wait(where);
}

bool in_simulation() noexcept { return detail::Simulation::on_this_thread() != nullptr; }

void Options::validate(SourceLocation here) const {
  if (stack_size < 16 * 1024)
    fail_misuse(fmt::format("sim::Options::stack_size {} is below the 16 KiB minimum", stack_size),
                nullptr, here);
  if (stack_size > (std::size_t{1} << 30))
    fail_misuse(fmt::format("sim::Options::stack_size {} is above the 1 GiB maximum", stack_size),
                nullptr, here);
  if (livelock_steps == 0)
    fail_misuse("sim::Options::livelock_steps must be at least 1", nullptr, here);
  if (horizon <= Duration::zero())
    fail_misuse(fmt::format("sim::Options::horizon must be positive, not {}", format_duration(horizon)),
                nullptr, here);
  if (watchdog.count() < 0)
    fail_misuse(fmt::format("sim::Options::watchdog must not be negative, not {} ms", watchdog.count()),
                nullptr, here);
}

}  // namespace lockstep::sim
