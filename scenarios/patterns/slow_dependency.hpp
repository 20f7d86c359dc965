// Geocoder: a call to a slow dependency, bounded by a semaphore. However
// many requests want an address resolved at once, at most `limit` calls are
// in flight (Go: golang.org/x/sync/semaphore.Weighted, Acquire(ctx, 1)):
//
//   Geocoder geo(3);
//   auto eta = geo.travel_time(ctx, courier, parcel);   // waits for a slot
//
// A caller waiting for a slot parks as "semaphore acquire"; a cancelled
// caller leaves the queue holding nothing and gets ctx.err(). Each call
// takes `latency` of virtual time once it holds a slot. in_flight() reports
// how many calls hold a slot now and at most.
#pragma once

#include <cstdlib>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/active_lookups.hpp"
#include "scenarios/sleep_ctx.hpp"

namespace lockstep::scenarios {

class Geocoder {
 public:
  explicit Geocoder(int limit, Duration latency = std::chrono::milliseconds(300))
      : slots_(limit), latency_(latency) {}

  Result<Duration> travel_time(const Context& ctx, const Courier& c, const Parcel& p) {
    if (Error err = slots_.acquire(ctx)) return Result<Duration>::failure(err);
    Error err;
    {
      auto counted = in_flight_.enter();
      err = sleep_ctx(ctx, latency_);
    }
    slots_.release();
    if (err) return Result<Duration>::failure(err);
    return Result<Duration>::success(std::chrono::minutes(5) * (1 + std::abs(c.zone - p.zone)));
  }

  const InFlight& in_flight() const noexcept { return in_flight_; }

 private:
  Semaphore slots_;
  Duration latency_;
  InFlight in_flight_;
};

}  // namespace lockstep::scenarios
