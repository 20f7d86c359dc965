#include "sim/monitor.hpp"

#include <fmt/format.h>

#include "runtime/misuse.hpp"
#include "sim/simulation.hpp"

namespace lockstep::sim {

using lockstep::detail::fail_misuse;

Monitor::Monitor(std::string name, Duration bound, SourceLocation where)
    : name_(std::move(name)), bound_(bound) {
  if (name_.empty()) fail_misuse("sim::Monitor needs a name (it names the liveness verdict)", nullptr, where);
  if (bound_ <= Duration::zero())
    fail_misuse(fmt::format("sim::Monitor \"{}\": the bound must be positive, not {}", name_,
                            format_duration(bound_)),
                nullptr, where);
  deadline_.self = this;
  deadline_.fire = &Monitor::expire;
}

Monitor::~Monitor() {
  // The heap holding a pending deadline belongs to the simulation running on
  // this thread (a run's end discards its pending timers, leaving none).
  if (deadline_.pending())
    if (auto* sim = detail::Simulation::on_this_thread(); sim != nullptr && sim->identity() == runtime_)
      sim->cancel_timer(deadline_);
}

// owner() is the simulation on this thread, if any; misuse if the deadline
// is pending in another one (or the caller is outside any).
detail::Simulation* Monitor::owner(SourceLocation where) const {
  auto* sim = detail::Simulation::on_this_thread();
  if (deadline_.pending() && (sim == nullptr || sim->identity() != runtime_))
    fail_misuse(fmt::format("sim::Monitor \"{}\" used outside the simulation that checks it", name_), nullptr,
                where);
  return sim;
}

void Monitor::hot(SourceLocation where) {
  auto* sim = owner(where);
  if (hot_) return;
  hot_ = true;
  if (sim == nullptr) return;  // real mode: the state only
  since_ = sim->now();
  runtime_ = sim->identity();
  deadline_.when = since_ + bound_;
  sim->add_timer(deadline_);  // in the future: bound_ > 0
}

void Monitor::cold(SourceLocation where) {
  auto* sim = owner(where);
  hot_ = false;
  if (deadline_.pending()) sim->cancel_timer(deadline_);  // else real mode, or its run ended
}

// expire() is the bound passing while hot: the run ends here, in the timer
// callback, at the exact instant.
void Monitor::expire(lockstep::detail::TimerNode& node) {
  Monitor& m = *static_cast<Deadline&>(node).self;
  auto* sim = detail::Simulation::on_this_thread();
  sim->end_run_from_timer(Verdict::liveness,
                          fmt::format("liveness: monitor \"{}\" hot for {} since +{} (bound {})", m.name_,
                                      format_duration(sim->now() - m.since_),
                                      format_duration(m.since_ - kSimulationEpoch), format_duration(m.bound_)));
}

}  // namespace lockstep::sim
