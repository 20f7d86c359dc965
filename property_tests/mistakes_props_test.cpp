// The buggy variants of the scenarios (scenarios/mistakes/), each under a
// property that must FAIL: RapidCheck, with its fixed seed, finds a
// counterexample within the budget, and the counterexample shrinks to an
// exact minimum (decisions off FIFO and inputs), asserted here. The `_fixed`
// twin passes the very same property.
#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include "lockstep.hpp"
#include "property_tests/support.hpp"
#include "scenarios/mistakes/after_in_loop.hpp"
#include "scenarios/mistakes/after_in_loop_fixed.hpp"
#include "scenarios/mistakes/busy_select_default.hpp"
#include "scenarios/mistakes/busy_select_default_fixed.hpp"
#include "scenarios/mistakes/close_by_receiver.hpp"
#include "scenarios/mistakes/close_by_receiver_fixed.hpp"
#include "scenarios/mistakes/cond_no_recheck.hpp"
#include "scenarios/mistakes/cond_no_recheck_fixed.hpp"
#include "scenarios/mistakes/dropped_error.hpp"
#include "scenarios/mistakes/dropped_error_fixed.hpp"
#include "scenarios/mistakes/leak_no_stop.hpp"
#include "scenarios/mistakes/leak_no_stop_fixed.hpp"
#include "scenarios/mistakes/missing_receiver.hpp"
#include "scenarios/mistakes/missing_receiver_fixed.hpp"
#include "scenarios/mistakes/once_no_retry.hpp"
#include "scenarios/mistakes/once_no_retry_fixed.hpp"
#include "scenarios/mistakes/polite_retry.hpp"
#include "scenarios/mistakes/polite_retry_fixed.hpp"
#include "scenarios/mistakes/unbounded_fanout.hpp"
#include "scenarios/mistakes/unbounded_fanout_fixed.hpp"

namespace lt = lockstep::testing;
namespace ls = lockstep::scenarios;
namespace sim = lockstep::sim;

namespace {

constexpr int kRuns = 100;

// every_schedule() is the property "`body` passes on every schedule": no
// deadlock, no escaped exception or misuse, nothing left running.
// `options` are the scenario's own livelock bounds (scenarios/catalog.cpp).
auto every_schedule(void (*body)(), sim::Options options = {}) {
  return [body, options](const lt::Schedule& s) { lt::check_schedule(s, body, options); };
}

// The minimal schedule's run: its verdict and its decisions off FIFO.
sim::Report replay(const lt::Schedule& s, void (*body)(), sim::Options options = {}) {
  return lt::run_schedule(s, body, options);
}

}  // namespace

// dropped_error: the store's faults are the schedule's own decisions
// (decide(3) per lookup; 0 = healthy), so FIFO passes and the bug needs a
// failing lookup. RapidCheck finds one on its 4th case and shrinks it to
// [1, 1, 1, 0, 0, 0, 2]: 4 of the run's 44 decisions off FIFO (3 of
// them order timers due together, all taken as 0), three early
// reorderings of the loaders and one lookup drawn failing (2). That is a
// local minimum: a single departure fails too ([2] after 13 zeros, a lookup
// drawn failing in FIFO order), but dropping or zeroing one of the 1s moves
// which decision the 2 lands on, and the shrinker does not move a departure
// (testing/rapidcheck.hpp).
TEST_CASE("mistakes property: dropped_error is found and shrinks to 4 decisions off fifo", "[properties][mistakes]") {
  auto failure = props::require_failed(props::check(kRuns, every_schedule(&ls::dropped_error)));
  INFO(failure.description);
  CHECK_THAT(failure.description, Catch::Contains("every courier lookup ends loaded or with its error reported"));
  CHECK(props::shown(failure) == std::vector<std::string>{"(decisions [1, 1, 1, 0, 0, 0, 2], then fifo)"});
  auto report = replay(lt::Schedule{{1, 1, 1, 0, 0, 0, 2}, 0}, &ls::dropped_error);
  CHECK(report.verdict == sim::Verdict::exception);
  CHECK(lt::decisions_off_fifo(report) == 4);
  CHECK(report.decision_count == 44);
  CHECK(failure.numSuccess == 3);
  CHECK(replay(lt::Schedule{std::vector<std::uint32_t>(13, 0), 0}, &ls::dropped_error).passed());
  std::vector<std::uint32_t> one_failing_lookup(13, 0);
  one_failing_lookup.push_back(2);
  CHECK(replay(lt::Schedule{one_failing_lookup, 0}, &ls::dropped_error).verdict == sim::Verdict::exception);
  props::require_passed(props::check(kRuns, every_schedule(&ls::dropped_error_fixed)), kRuns);
}

// unbounded_fanout: "at most 8 lookups in flight, whatever the batch". The
// batch size is an input: it shrinks to the smallest that breaks the bound,
// 9, with the schedule shrunk to FIFO.
TEST_CASE("mistakes property: unbounded_fanout is found and its batch shrinks to 9", "[properties][mistakes]") {
  auto fanout_bounded_by_limit = [](bool bounded) {
    return [bounded](const lt::Schedule& s) {
      int batch = *rc::gen::inRange(0, 64);
      lt::check_schedule(s, [&] { ls::check_fan_out(ls::fan_out(batch, bounded)); });
    };
  };
  auto failure = props::require_failed(props::check(kRuns, fanout_bounded_by_limit(false)));
  INFO(failure.description);
  CHECK_THAT(failure.description, Catch::Contains("at most 8 lookups in flight (peak 9)"));
  CHECK(props::shown(failure) == std::vector<std::string>{"(decisions [], then fifo)", "9"});
  props::require_passed(props::check(kRuns, fanout_bounded_by_limit(true)), kRuns);
}

// The next ones fail on every schedule, FIFO included: the counterexample
// shrinks to the empty schedule (no decision off FIFO), and RapidCheck finds
// it on its first case.
struct Variant {
  const char* name;
  void (*buggy)();
  void (*fixed)();
  sim::Verdict verdict;
  const char* message;
  std::uint64_t livelock_steps = 1'000'000;
  lockstep::Duration horizon = std::chrono::hours(24);
};

TEST_CASE("mistakes property: variants wrong on every schedule shrink to fifo", "[properties][mistakes]") {
  const Variant variants[] = {
      {"leak_no_stop", &ls::leak_no_stop, &ls::leak_no_stop_fixed, sim::Verdict::leak, "leak: main returned"},
      {"close_by_receiver", &ls::close_by_receiver, &ls::close_by_receiver_fixed, sim::Verdict::misuse,
       "send on closed channel"},
      {"missing_receiver", &ls::missing_receiver, &ls::missing_receiver_fixed, sim::Verdict::deadlock,
       "deadlock"},
      {"cond_no_recheck", &ls::cond_no_recheck, &ls::cond_no_recheck_fixed, sim::Verdict::exception,
       "a picker takes a parcel only from a non-empty ready queue"},
      {"after_in_loop", &ls::after_in_loop, &ls::after_in_loop_fixed, sim::Verdict::exception,
       "ends by its 30s deadline"},
      {"busy_select_default", &ls::busy_select_default, &ls::busy_select_default_fixed, sim::Verdict::livelock,
       "scheduling steps without virtual time moving", 10'000},
      {"polite_retry", &ls::polite_retry, &ls::polite_retry_fixed, sim::Verdict::livelock,
       "would pass the horizon", 1'000'000, std::chrono::seconds(10)},
      {"once_no_retry", &ls::once_no_retry, &ls::once_no_retry_fixed, sim::Verdict::exception,
       "zones are loaded once the zone service is up"},
  };
  for (const Variant& v : variants) {
    INFO(v.name);
    sim::Options options;
    options.livelock_steps = v.livelock_steps;
    options.horizon = v.horizon;
    auto failure = props::require_failed(props::check(kRuns, every_schedule(v.buggy, options)));
    INFO(failure.description);
    CHECK(failure.numSuccess == 0);
    CHECK_THAT(failure.description, Catch::Contains(v.message));
    CHECK(props::shown(failure) == std::vector<std::string>{"(decisions [], then fifo)"});
    auto report = replay(lt::Schedule{}, v.buggy, options);
    CHECK(report.verdict == v.verdict);
    CHECK(lt::decisions_off_fifo(report) == 0);
    props::require_passed(props::check(kRuns, every_schedule(v.fixed, options)), kRuns);
  }
}
