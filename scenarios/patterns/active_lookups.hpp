// InFlight: the active-lookups counter. How many operations (lookups, or
// the service's request goroutines) are in flight right now, and the most
// there ever were, kept with Atomic counters (Go's atomic.Int64) so any
// goroutine can update them without a mutex.
//
//   InFlight active;
//   { auto scope = active.enter(); ... }   // counted while `scope` lives
//   metrics.active_lookups = active.now();
//
// Each access is a scheduling point, so a fuzzing strategy can interleave
// two lookups between the increment and the peak update: the peak is kept
// with a compare-exchange loop, not a load-then-store, so it is never lost.
#pragma once

#include <cstdint>

#include "lockstep.hpp"

namespace lockstep::scenarios {

class InFlight {
 public:
  // Scope counts one lookup from its creation to its destruction.
  class Scope {
   public:
    explicit Scope(InFlight& owner) : owner_(&owner) { owner_->begin(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() { owner_->end(); }

   private:
    InFlight* owner_;
  };

  Scope enter() { return Scope(*this); }
  std::int64_t now() const { return active_.load(); }
  std::int64_t peak() const { return peak_.load(); }
  std::int64_t total() const { return total_.load(); }

 private:
  void begin() {
    std::int64_t n = active_.fetch_add(1) + 1;
    total_.fetch_add(1);
    std::int64_t seen = peak_.load();
    while (n > seen && !peak_.compare_exchange(seen, n)) {
    }
  }
  void end() { active_.fetch_sub(1); }

  mutable Atomic<std::int64_t> active_{0};
  mutable Atomic<std::int64_t> peak_{0};
  mutable Atomic<std::int64_t> total_{0};
};

}  // namespace lockstep::scenarios
