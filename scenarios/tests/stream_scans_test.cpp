// stream_scans and merge_scans: the producer owns and closes its channel,
// skips failed loads and stops on cancel; the merge closes once, after every
// forwarder. Lookups take 20ms each, so times are exact.
#include <algorithm>
#include <vector>

#include "scenarios/patterns/merge_scans.hpp"
#include "scenarios/patterns/stream_scans.hpp"
#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("stream_scans: streams each loaded parcel, skips failed loads, then closes", "[patterns][stream_scans]") {
  // Parcel -2 fails to load and is skipped; the range loop ends because the
  // producer closed its channel, after three 20ms loads.
  auto r = test::run_fifo([] {
    LookupStore store;
    std::vector<Scan> got;
    for (Scan s : stream_scans(background(), store, {1, -2, 3}, 4)) got.push_back(s);
    CHECK(got == std::vector<Scan>{{1, 4}, {3, 4}});
    CHECK(since_start() == 60ms);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}

TEST_CASE("stream_scans: a receiver that cancels stops the producer, which closes", "[patterns][stream_scans]") {
  // After one scan (20ms) the receiver cancels: the producer, mid-load,
  // returns and closes at once; passed means no producer was left behind.
  auto r = test::run_fifo([] {
    LookupStore store;
    auto [ctx, cancel] = with_cancel(background());
    auto scans = stream_scans(ctx, store, {1, 2, 3}, 4);
    CHECK(scans.recv() == Scan{1, 4});
    cancel();
    CHECK(scans.recv() == std::nullopt);
    CHECK(since_start() == 20ms);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}

TEST_CASE("merge_scans: every scan of every input, then one close", "[patterns][merge_scans][explore]") {
  // Two producers (2 and 1 parcels) merged: all three scans arrive, the
  // merged channel closes after the slower input (40ms), on 200 schedules.
  test::passes_everywhere(&check_merge_scans);
}

TEST_CASE("merge_scans: cancelling stops producers and forwarders alike", "[patterns][merge_scans][explore]") {
  // The receiver takes one scan and cancels; every goroutine ends (no leak)
  // and the merged channel closes, on 200 schedules.
  test::passes_everywhere(&check_merge_scans_cancel);
}
