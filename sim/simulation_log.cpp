// The Simulation's event hooks (event_log.hpp): out of line and out of the
// scheduler's file, since they run only when a trace or a self-check asked
// for them. Each builds one Event from the scheduler's state at the moment.
#include "sim/simulation.hpp"

namespace lockstep::sim::detail {

void Simulation::log_add(Event e) {
  e.at_ns = (now_ - kSimulationEpoch).count();
  log_->add(std::move(e));
}

void Simulation::log_spawn(const Fiber& f) {
  log_add(Event{.kind = EventKind::spawn, .fiber = current_->id, .other = f.id, .text = f.name});
}

void Simulation::log_run(const Fiber& from, const Fiber& next) {
  // After main returned with fibers left, home makes the switches main would
  // have made (finish()): the log shows them from main, as before.
  std::uint64_t other = &from == &home_ && main_exited_ ? main_id_ : from.id;
  log_add(Event{.kind = EventKind::run, .fiber = next.id, .other = other});
}

void Simulation::log_park(const Fiber& f) {
  log_add(Event{.kind = EventKind::park,
                .fiber = f.id,
                .reason = f.wait.reason,
                .text = f.wait.object != nullptr ? f.wait.object->describe() : std::string{}});
}

void Simulation::log_ready(const Fiber& f) {
  // A timer callback runs on the stack of whichever fiber was parking: the
  // scheduler, not that fiber, readies.
  log_add(Event{.kind = EventKind::ready,
                .fiber = in_timer_callback_ ? 0 : current_->id,
                .other = f.id,
                .reason = f.wait.reason,
                .text = f.wait.object != nullptr ? f.wait.object->describe() : std::string{}});
}

void Simulation::log_exit(const Fiber& f) { log_add(Event{.kind = EventKind::exit, .fiber = f.id}); }

void Simulation::log_decide(std::size_t decision, std::size_t alternatives) {
  log_add(Event{.kind = EventKind::decide,
                .fiber = current_->id,
                .alternatives = static_cast<std::uint32_t>(alternatives),
                .chosen = static_cast<std::uint32_t>(decision)});
}

void Simulation::log_timer(std::uint64_t seq) {
  log_add(Event{.kind = EventKind::timer, .other = seq});
}

void Simulation::log_advance() { log_add(Event{.kind = EventKind::advance}); }

void Simulation::log_verdict() {
  log_add(Event{.kind = EventKind::verdict, .text = message_});
  log_ = nullptr;
}

}  // namespace lockstep::sim::detail
