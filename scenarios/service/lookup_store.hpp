// LookupStore: the fake courier and parcel database the scenarios call.
//
//   LookupStore store;                      // healthy: every lookup 20ms
//   Result<Courier> c = store.load_courier(ctx, 7);
//
// Latencies are virtual (a lookup sleeps on the simulation's clock, so a
// two-second slow lookup costs microseconds). When `faults` is on, each
// lookup draws its fate from the simulation's decisions (decide(3)):
//   0  healthy: answers after `latency`         (what FIFO always picks)
//   1  slow:    answers after `slow_latency`
//   2  failing: "store unavailable" after `latency`
// so random and PCT exploration visit every mix of slow and failing lookups,
// and a replay token reproduces the mix. A lookup waits with its context: a
// cancelled request stops waiting at once and gets ctx.err().
//
// Two fixed rules let tests build a situation without fuzzing: ids below 0
// are unknown ("courier -1 not found", after `latency`), and ids from 1000 up
// are always slow (`slow_latency`). A courier's or parcel's zone is id % 4.
#pragma once

#include <fmt/format.h>

#include <string>

#include "lockstep.hpp"
#include "scenarios/decide.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/active_lookups.hpp"
#include "scenarios/sleep_ctx.hpp"

namespace lockstep::scenarios {

struct StoreConfig {
  Duration latency = std::chrono::milliseconds(20);
  Duration slow_latency = std::chrono::seconds(2);
  bool faults = false;  // draw slow and failing lookups from decide()
};

class LookupStore {
 public:
  explicit LookupStore(StoreConfig config = {}) : config_(config) {}

  Result<Courier> load_courier(const Context& ctx, int id) {
    if (Error err = lookup(ctx, "courier", id)) return Result<Courier>::failure(err);
    return Result<Courier>::success(Courier{id, id % 4});
  }

  Result<Parcel> load_parcel(const Context& ctx, int id) {
    if (Error err = lookup(ctx, "parcel", id)) return Result<Parcel>::failure(err);
    return Result<Parcel>::success(Parcel{id, id % 4});
  }

  // active() counts lookups in flight (the service's metric).
  const InFlight& active() const noexcept { return active_; }
  const StoreConfig& config() const noexcept { return config_; }

 private:
  [[nodiscard]] Error lookup(const Context& ctx, const char* what, int id) {
    auto counted = active_.enter();
    std::size_t fate = config_.faults ? decide(3) : (id >= kSlowIds ? 1 : 0);
    Duration wait = fate == 1 ? config_.slow_latency : config_.latency;
    if (Error err = sleep_ctx(ctx, wait)) return err;
    if (id < 0) return make_error(fmt::format("{} {} not found", what, id));
    if (fate == 2) return make_error("store unavailable");
    return nullptr;
  }

  static constexpr int kSlowIds = 1000;

  StoreConfig config_;
  InFlight active_;
};

}  // namespace lockstep::scenarios
