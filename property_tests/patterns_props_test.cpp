// Properties of two patterns the service is built from, across schedules
// and inputs: merge_scans (fan-in) and wait_for_decision (a four-way select
// with a timeout).
#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "lockstep.hpp"
#include "property_tests/support.hpp"
#include "scenarios/patterns/merge_scans.hpp"
#include "scenarios/patterns/wait_for_decision.hpp"

namespace lt = lockstep::testing;
namespace ls = lockstep::scenarios;
using namespace std::chrono_literals;
using lockstep::Duration;

namespace {

constexpr int kRuns = 150;
std::size_t scans = 0;  // merged by the passing property, over every case

// Producer p sends scans {parcel, depot p} for its parcels, sleeping
// pause_ms before each send, then marks itself finished and closes.
struct Merged {
  std::vector<ls::Scan> received;
  bool every_producer_finished_at_close = false;
  bool recv_after_close_is_empty = false;
};

using MergeFn = lockstep::RecvChan<ls::Scan> (*)(const lockstep::Context&,
                                                 const std::vector<lockstep::RecvChan<ls::Scan>>&);

// A buggy fan-in for the property to catch: every forwarder closes the
// merged channel when its own input ends (only one closer may, after all).
lockstep::RecvChan<ls::Scan> merge_each_closes(const lockstep::Context& ctx,
                                               const std::vector<lockstep::RecvChan<ls::Scan>>& inputs) {
  lockstep::Chan<ls::Scan> out(0);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    lockstep::go("merge", [ctx, in = inputs[i], out] {
      while (auto scan = in.recv())
        if (!ls::send_or_done(ctx, lockstep::SendChan<ls::Scan>(out), *scan)) break;
      out.close();  // BUG: the other forwarders may still send, and close too
    });
  return out;
}

Merged merge(MergeFn merge_fn, const std::vector<std::vector<int>>& inputs, int pause_ms) {
  Merged merged;
  auto finished = std::make_shared<std::vector<bool>>(inputs.size(), false);
  std::vector<lockstep::RecvChan<ls::Scan>> streams;
  lockstep::WaitGroup producers;
  for (std::size_t p = 0; p < inputs.size(); ++p) {
    lockstep::Chan<ls::Scan> stream(0);
    streams.push_back(stream);
    producers.go("producer", [stream, parcels = inputs[p], p, pause_ms, finished] {
      for (int parcel : parcels) {
        lockstep::sleep(std::chrono::milliseconds(pause_ms));
        stream.send(ls::Scan{parcel, static_cast<int>(p)});
      }
      (*finished)[p] = true;
      stream.close();
    });
  }
  auto all = merge_fn(lockstep::background(), streams);
  for (ls::Scan s : all) merged.received.push_back(s);
  merged.every_producer_finished_at_close =
      std::all_of(finished->begin(), finished->end(), [](bool f) { return f; });
  merged.recv_after_close_is_empty = !all.recv().has_value() && !all.recv().has_value();
  producers.wait();
  return merged;
}

bool by_depot_then_parcel(const ls::Scan& a, const ls::Scan& b) {
  return std::pair{a.depot, a.parcel_id} < std::pair{b.depot, b.parcel_id};
}

}  // namespace

// Exactly the union (as a multiset: a parcel may be scanned twice, by two
// producers or one), each producer's scans in its own order; the merged
// channel closes after every producer finished, and once (a second close is
// a misuse verdict; a closer that never ran, a deadlock).
auto merges_exactly_the_union(MergeFn merge_fn) {
  return [merge_fn](const lt::Schedule& s, const std::vector<std::vector<int>>& inputs) {
    RC_PRE(inputs.size() <= 5u);
    int pause_ms = *rc::gen::inRange(0, 3);
    Merged merged;
    lt::check_schedule(s, [&] { merged = merge(merge_fn, inputs, pause_ms); });
    std::vector<ls::Scan> expected;
    for (std::size_t p = 0; p < inputs.size(); ++p)
      for (int parcel : inputs[p]) expected.push_back(ls::Scan{parcel, static_cast<int>(p)});
    std::vector<ls::Scan> got = merged.received;
    std::stable_sort(expected.begin(), expected.end(), by_depot_then_parcel);
    std::stable_sort(got.begin(), got.end(), by_depot_then_parcel);
    RC_ASSERT(got == expected);
    for (std::size_t p = 0; p < inputs.size(); ++p) {  // per producer, in order
      std::vector<int> order;
      for (const ls::Scan& scan : merged.received)
        if (scan.depot == static_cast<int>(p)) order.push_back(scan.parcel_id);
      RC_ASSERT(order == inputs[p]);
    }
    RC_ASSERT(merged.every_producer_finished_at_close);
    RC_ASSERT(merged.recv_after_close_is_empty);
    scans += merged.received.size();
  };
}

TEST_CASE("merge_scans property: exactly the union, closed once after every producer", "[properties][patterns]") {
  scans = 0;
  props::require_passed(props::check(kRuns, merges_exactly_the_union(&ls::merge_scans)), kRuns);
  CHECK(scans == 9309);  // scans merged over every case (fixed RapidCheck seed)
}

// The same property catches a fan-in whose every forwarder closes. The
// smallest case is no producer at all, on FIFO: then nobody closes and the
// consumer deadlocks. With two producers with nothing to send, the second
// close is a misuse.
TEST_CASE("merge_scans property: fails for a fan-in that every forwarder closes", "[properties][patterns]") {
  auto failure = props::require_failed(props::check(kRuns, merges_exactly_the_union(&merge_each_closes)));
  INFO(failure.description);
  CHECK_THAT(failure.description, Catch::Contains("lockstep: deadlock: all fibers are blocked"));
  CHECK(props::shown(failure) == std::vector<std::string>{"(decisions [], then fifo, [])", "0"});
  auto two = lt::run_schedule({}, [] { (void)merge(&merge_each_closes, {{}, {}}, 0); });
  CHECK(two.verdict == lockstep::sim::Verdict::misuse);
  CHECK_THAT(two.message, Catch::Contains("close of closed channel"));
}

namespace {

// An event at ms (nullopt: never). The decision and the error arrive on
// channels of capacity 1, so a sender never outlives its event.
struct Events {
  int timeout_ms = 0;
  std::optional<int> decision_ms;
  bool accepted = false;
  std::optional<int> error_ms;
  std::optional<int> cancel_ms;
};

std::optional<int> gen_event() {
  if (!*rc::gen::arbitrary<bool>()) return std::nullopt;
  return *rc::gen::inRange(0, 120);
}

struct Waited {
  ls::DecisionOutcome outcome = ls::DecisionOutcome::failed;
  Duration took{};
};

Waited wait(const Events& e) {
  lockstep::Chan<ls::Decision> decisions(1);
  lockstep::Chan<lockstep::Error> errors(1);
  auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
  lockstep::WaitGroup senders;
  if (e.decision_ms)
    senders.go("courier", [decisions, at = *e.decision_ms, accepted = e.accepted] {
      lockstep::sleep(std::chrono::milliseconds(at));
      decisions.send(ls::Decision{7, accepted});
    });
  if (e.error_ms)
    senders.go("offer-service", [errors, at = *e.error_ms] {
      lockstep::sleep(std::chrono::milliseconds(at));
      errors.send(ls::make_error("offer service unavailable"));
    });
  if (e.cancel_ms)
    senders.go("client", [cancel = cancel, at = *e.cancel_ms] {
      lockstep::sleep(std::chrono::milliseconds(at));
      cancel();
    });
  auto start = lockstep::Clock::now();
  Waited w;
  w.outcome = ls::wait_for_decision(ctx, decisions, errors, std::chrono::milliseconds(e.timeout_ms));
  w.took = lockstep::Clock::now() - start;
  senders.wait();
  cancel();
  return w;
}

}  // namespace

// It returns exactly at the first event or at the timeout, whichever is
// first (never later than the timeout), with that event's outcome; at a tie
// any of the tied outcomes.
TEST_CASE("wait_for_decision property: never later than its timeout", "[properties][patterns]") {
  static int timed_out = 0;
  timed_out = 0;
  auto result = props::check(kRuns, [](const lt::Schedule& s) {
    Events e;
    e.timeout_ms = *rc::gen::inRange(0, 100);
    e.decision_ms = gen_event();
    e.accepted = *rc::gen::arbitrary<bool>();
    e.error_ms = gen_event();
    e.cancel_ms = gen_event();
    Waited w;
    lt::check_schedule(s, [&] { w = wait(e); });
    RC_ASSERT(w.took <= std::chrono::milliseconds(e.timeout_ms));
    int first = e.timeout_ms;
    for (auto at : {e.decision_ms, e.error_ms, e.cancel_ms})
      if (at) first = std::min(first, *at);
    RC_ASSERT(w.took == std::chrono::milliseconds(first));
    std::vector<ls::DecisionOutcome> allowed;
    if (e.timeout_ms == first) allowed.push_back(ls::DecisionOutcome::timed_out);
    if (e.decision_ms == first)
      allowed.push_back(e.accepted ? ls::DecisionOutcome::accepted : ls::DecisionOutcome::declined);
    if (e.error_ms == first) allowed.push_back(ls::DecisionOutcome::failed);
    if (e.cancel_ms == first) allowed.push_back(ls::DecisionOutcome::cancelled);
    RC_ASSERT(std::find(allowed.begin(), allowed.end(), w.outcome) != allowed.end());
    if (w.outcome == ls::DecisionOutcome::timed_out) ++timed_out;
  });
  props::require_passed(result, kRuns);
  CHECK(timed_out == 92);  // cases that ran into the timeout (fixed RapidCheck seed)
}
