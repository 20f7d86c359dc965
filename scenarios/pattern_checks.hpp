// The patterns as scenarios: each function runs one pattern in a small
// situation and checks what must hold on every schedule (with `check`, so a
// broken property ends the run with the `exception` verdict naming it).
//
// The tests run them on 100 random and 100 PCT schedules; the catalog lists
// them as "patterns/<name>" so `lockstep-scenarios run patterns/` explores
// them too. Checkers live here, apart from the patterns they check.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/active_lookups.hpp"
#include "scenarios/patterns/build_assignment.hpp"
#include "scenarios/patterns/eta_store.hpp"
#include "scenarios/patterns/merge_scans.hpp"
#include "scenarios/patterns/ready_queue.hpp"
#include "scenarios/patterns/run_workers.hpp"
#include "scenarios/patterns/slow_dependency.hpp"
#include "scenarios/patterns/stream_scans.hpp"
#include "scenarios/patterns/zones.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sleep_ctx.hpp"

namespace lockstep::scenarios {

inline Duration since_start() { return Clock::now() - kSimulationEpoch; }

// build_assignment with drawn faults: an assignment of what was asked, or a
// wrapped error, or the deadline; on time; no lookup left running.
inline void check_build_assignment() {
  using namespace std::chrono_literals;
  LookupStore store(StoreConfig{.faults = true});
  auto [ctx, cancel] = with_timeout(background(), 1s);
  auto a = build_assignment(ctx, store, 7, 9);
  cancel();
  if (a.ok()) {
    check(a.value->courier.id == 7 && a.value->parcel.id == 9, "an assignment is of what was asked");
  } else if (!is_deadline_exceeded(a.err)) {
    const std::string m = error_message(a.err);
    check(m.starts_with("build assignment for courier 7 and parcel 9: load ") && m.ends_with(": store unavailable"),
          "an error says what failed and why: " + m);
  }
  check(since_start() <= 1s, "done by the 1s deadline");
  check(store.active().now() == 0, "no lookup left running");
}

// merge_scans of two streams (2 and 1 parcels): every scan once, closed
// after the slower input (40ms).
inline void check_merge_scans() {
  using namespace std::chrono_literals;
  LookupStore store;
  auto ctx = background();
  std::vector<int> ids;
  for (Scan s : merge_scans(ctx, {stream_scans(ctx, store, {1, 2}, 1), stream_scans(ctx, store, {3}, 2)}))
    ids.push_back(s.parcel_id);
  std::sort(ids.begin(), ids.end());
  check(ids == std::vector<int>{1, 2, 3}, "every scan arrives once");
  check(since_start() == 40ms, "closed after the slower input");
}

// merge_scans cancelled after one scan: every goroutine ends (a leak
// otherwise) and the merged channel closes.
inline void check_merge_scans_cancel() {
  LookupStore store;
  auto [ctx, cancel] = with_cancel(background());
  auto merged = merge_scans(ctx, {stream_scans(ctx, store, {1, 2}, 1), stream_scans(ctx, store, {3, 4}, 2)});
  check(merged.recv().has_value(), "a first scan");
  cancel();
  while (merged.recv()) {
  }
}

// run_workers: 10 jobs of 100ms on 3 workers, jobs 4 and 7 fail: both
// errors reported, 3 at once at most, done at 400ms.
inline void check_run_workers() {
  using namespace std::chrono_literals;
  Chan<int> jobs(10);
  for (int j = 1; j <= 10; ++j) jobs.send(j);
  jobs.close();
  InFlight running;
  auto errors = run_workers(background(), jobs, 3, [&](const Context& ctx, int job) -> Error {
    auto counted = running.enter();
    if (Error err = sleep_ctx(ctx, 100ms)) return err;
    return job == 4 || job == 7 ? make_error(fmt::format("job {} failed", job)) : nullptr;
  });
  std::vector<std::string> messages;
  for (Error e : errors) messages.push_back(error_message(e));
  std::sort(messages.begin(), messages.end());
  check(messages == std::vector<std::string>{"job 4 failed", "job 7 failed"}, "both failures reported");
  check(running.peak() == 3, "3 jobs at once, at most");
  check(since_start() == 400ms, "four rounds of 100ms");
}

// Geocoder: 10 callers, 3 slots, 300ms a call: peak 3, done at 1.2s.
inline void check_geocoder() {
  using namespace std::chrono_literals;
  Geocoder geo(3);
  Atomic<int> answered{0};
  WaitGroup callers;
  for (int i = 0; i < 10; ++i)
    callers.go("caller", [&, i] {
      if (geo.travel_time(background(), Courier{i, i % 4}, Parcel{i, 0}).ok()) answered.fetch_add(1);
    });
  callers.wait();
  check(answered.load() == 10, "every caller got an answer");
  check(geo.in_flight().peak() == 3, "at most 3 calls at once");
  check(since_start() == 1200ms, "four rounds of 300ms");
}

// EtaStore: five callers miss one route at once and each computes another
// value; all five see the first one stored, and it stays cached.
inline void check_eta_store() {
  using namespace std::chrono_literals;
  EtaStore etas;
  Atomic<int> next{10};
  std::vector<Duration> seen(5);
  WaitGroup callers;
  for (int i = 0; i < 5; ++i)
    callers.go("caller", [&, i] {
      seen[i] = etas.get_or_compute(7, 9, [&] {
        sleep(10ms);
        return std::chrono::minutes(next.fetch_add(1));
      });
    });
  callers.wait();
  for (Duration d : seen) check(d == seen[0], "every caller sees the same ETA");
  check(etas.get(7, 9) == seen[0], "the ETA stays cached");
}

// ZoneTable: three concurrent first callers, one 50ms load, all answered
// when it ends; a later caller does not wait.
inline void check_zones() {
  using namespace std::chrono_literals;
  ZoneTable zones;
  WaitGroup callers;
  for (int id = 1; id <= 3; ++id)
    callers.go("caller", [&, id] {
      check(zones.zone_of(Parcel{id, 0}) == 100 + id % 4, "the zone of the parcel's depot");
      check(since_start() == 50ms, "answered when the one load ends");
    });
  callers.wait();
  check(zones.loads() == 1, "loaded once");
  check(zones.zone_of(Parcel{4, 0}) == 100 && since_start() == 50ms, "later callers do not wait");
}

// ReadyQueue: three jobs pushed 1s apart to two pickers, closed at 5s: each
// job taken once, both pickers released by the close at 5s.
inline void check_ready_queue() {
  using namespace std::chrono_literals;
  ReadyQueue queue;
  Mutex mu;
  std::vector<int> taken;  // Guarded by mu.
  WaitGroup pickers;
  for (int i = 0; i < 2; ++i)
    pickers.go("picker", [&] {
      while (auto p = queue.pop()) {
        mu.lock();
        taken.push_back(p->id);
        mu.unlock();
      }
      check(since_start() == 5s, "released by the close at 5s");
    });
  for (int id = 1; id <= 3; ++id) {
    sleep(1s);
    queue.push(Parcel{id, 0});
  }
  sleep(2s);
  queue.close();
  pickers.wait();
  std::sort(taken.begin(), taken.end());
  check(taken == std::vector<int>{1, 2, 3}, "each job taken exactly once");
}

// InFlight: six overlapping lookups, interleaved at every Atomic access:
// the peak is 6 and the count returns to 0 (a load-then-store peak would
// lose an update on some schedule).
inline void check_active_lookups() {
  using namespace std::chrono_literals;
  InFlight active;
  WaitGroup lookups;
  for (int i = 0; i < 6; ++i)
    lookups.go("lookup", [&] {
      auto counted = active.enter();
      sleep(10ms);
    });
  lookups.wait();
  check(active.peak() == 6, "the peak of six overlapping lookups");
  check(active.now() == 0 && active.total() == 6, "six counted, all finished");
}

// pattern_scenarios() lists the checks above as catalog scenarios.
inline std::vector<Scenario> pattern_scenarios() {
  auto correct = [](std::string name, std::string summary, void (*body)()) {
    return Scenario{"patterns/" + std::move(name), std::move(summary), {}, "", body};
  };
  return {
      correct("build_assignment", "courier and parcel loaded at once, faults drawn by the schedule", &check_build_assignment),
      correct("merge_scans", "two scan streams merged, one close after both", &check_merge_scans),
      correct("merge_scans_cancel", "a cancelled merge stops every producer and forwarder", &check_merge_scans_cancel),
      correct("run_workers", "3 workers, 10 jobs, an error channel closed after the last", &check_run_workers),
      correct("slow_dependency", "10 callers through a 3-slot semaphore", &check_geocoder),
      correct("eta_store", "an RWMutex cache: concurrent misses agree on one ETA", &check_eta_store),
      correct("zones", "a Once-loaded zone table, three first callers", &check_zones),
      correct("ready_queue", "a Cond queue: signal per job, broadcast on close", &check_ready_queue),
      correct("active_lookups", "an Atomic in-flight counter never loses its peak", &check_active_lookups),
  };
}

}  // namespace lockstep::scenarios
