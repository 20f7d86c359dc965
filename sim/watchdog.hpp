// Watchdog: turns a fiber that never reaches a scheduling point into a
// diagnosis instead of a silent CI hang.
//
// One process-wide thread watches every running simulation that has a
// non-zero Options::watchdog. Each scheduling point bumps the simulation's
// heartbeat; when a heartbeat stays still for longer than the limit, the
// watchdog prints which fiber is running (name and spawn site) and aborts the
// process: a fiber that never yields cannot be unwound safely.
//
// The watchdog reads the real clock, on its own thread; nothing it does
// feeds back into a simulation's decisions.
#pragma once

namespace lockstep::sim::detail {

class Simulation;

class Watchdog {
 public:
  // Registration watches `sim` for its lifetime (if its limit is non-zero).
  class Registration {
   public:
    explicit Registration(Simulation& sim);
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    Simulation* sim_;
  };
};

}  // namespace lockstep::sim::detail
