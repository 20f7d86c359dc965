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

void Monitor::hot(SourceLocation where) {
  if (hot_) return;
  auto* sim = detail::Simulation::on_this_thread();
  if (sim == nullptr) {  // real mode: the state only
    hot_ = true;
    return;
  }
  if (deadline_.pending() && sim->identity() != runtime_)
    fail_misuse(fmt::format("sim::Monitor \"{}\" used by a second simulation while the first still checks it", name_),
                nullptr, where);
  hot_ = true;
  since_ = sim->now();
  runtime_ = sim->identity();
  deadline_.when = since_ + bound_;
  sim->add_timer(deadline_);  // in the future: bound_ > 0
}

void Monitor::cold(SourceLocation where) {
  if (!hot_) return;
  hot_ = false;
  if (!deadline_.pending()) return;  // real mode, or its run already ended
  auto* sim = detail::Simulation::on_this_thread();
  if (sim == nullptr || sim->identity() != runtime_)
    fail_misuse(fmt::format("sim::Monitor \"{}\" made cold outside the simulation that checks it", name_),
                nullptr, where);
  sim->cancel_timer(deadline_);
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
