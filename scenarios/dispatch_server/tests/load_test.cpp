// courier-dispatch's load (run_load), in a simulation: the code the program
// runs on real threads, here exact under FIFO (every lookup healthy: 20ms
// times the scale, planning 5ms) and checked on random and PCT schedules,
// where the store's faults are drawn by the schedule.
#include "scenarios/dispatch_server/load.hpp"

#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

namespace {

std::int64_t count(const LoadSummary& s, Outcome o) { return s.metrics.by_outcome[static_cast<std::size_t>(o)]; }

// What must hold on every schedule when nothing stops the load.
void check_load(const LoadConfig& c, const LoadSummary& s) {
  check(s.sent == c.requests && s.answered == c.requests,
        fmt::format("every request is sent and answered ({} sent, {} answered)", s.sent, s.answered));
  std::int64_t total = 0;
  for (auto n : s.metrics.by_outcome) total += n;
  check(total == c.requests, fmt::format("the outcomes add up to the requests ({})", total));
  check(count(s, Outcome::cancelled) == 0, "nothing is cancelled when nothing stops the load");
  check(s.metrics.peak_goroutines >= 1 && s.metrics.peak_goroutines <= c.concurrency,
        fmt::format("between 1 and {} request goroutines at once (peak {})", c.concurrency,
                    s.metrics.peak_goroutines));
  check(s.metrics.live_goroutines == 0 && s.metrics.active_lookups == 0, "nothing is left in flight");
}

}  // namespace

TEST_CASE("dispatch load: healthy store: every tenth request fails, the rest are assigned, four at a time", "[dispatch-server][load]") {
  // 20 requests, 4 slots, each done 25ms after it starts (an unknown courier
  // fails at 20ms, before planning). 1-4 run 0-25ms, 5-8 25-50, 9-12 50-75
  // (10 ends at 70: 13 runs 70-95), 14-16 75-100, 17 95-120, 18-20 100-125.
  LoadConfig config{.requests = 20, .concurrency = 4, .latency_scale = 1.0, .faults = true};
  LoadSummary s;
  auto r = test::run_fifo([&] { s = run_load(config, background()); });
  INFO(sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  check_load(config, s);
  CHECK(count(s, Outcome::assigned) == 18);
  CHECK(count(s, Outcome::failed) == 2);
  CHECK(s.elapsed == 125ms);
  CHECK(s.metrics.peak_goroutines == 4);
  CHECK(s.metrics.peak_lookups == 8);
  // main, dispatch, load-client, 4 requests and their 8 lookups at most; a
  // response is sampled after its request's lookups ended, and under FIFO the
  // requests of a wave end together: the sampled peak is 8.
  CHECK(r.peak_fibers == 15);
  CHECK(s.peak_goroutines == 8);
  CHECK(render(config, s) ==
        "served 20 of 20 requests in 125ms: 18 assigned, 2 failed, 0 timed out, 0 cancelled\n"
        "peak goroutines 8, peak request goroutines 4 (limit 4), peak lookups 8\n");
}

TEST_CASE("dispatch load: the latency scale multiplies the store's latencies and the deadline", "[dispatch-server][load]") {
  // Scale 0.5: lookups 10ms, planning still 5ms, so one slot serves a
  // request in 15ms (10ms for an unknown courier): 3 x 15ms - 5ms.
  LoadConfig config{.requests = 3, .concurrency = 1, .latency_scale = 0.5, .faults = false};
  CHECK(load_store_config(config).latency == 10ms);
  CHECK(load_store_config(config).slow_latency == 1s);
  CHECK(load_request(1, config, background()).deadline == 500ms);
  CHECK(load_request(10, config, background()).courier_id == -1);
  CHECK(load_request(1999, config, background()).courier_id == 999);  // never an always-slow id
  LoadSummary s;
  auto r = test::run_fifo([&] { s = run_load(config, background()); });
  REQUIRE(r.verdict == sim::Verdict::passed);
  CHECK(s.elapsed == 45ms);
  CHECK(count(s, Outcome::assigned) == 3);
}

TEST_CASE("dispatch load: stopping it cancels the requests in flight and sends no more", "[dispatch-server][load]") {
  // Stopped at 30ms: requests 1-4 were assigned at 25ms, 5-8 were running,
  // the service had read 9 and waited for a slot, the client was sending 10.
  // 5-8 end cancelled, 9 starts on a cancelled context and ends cancelled.
  LoadConfig config{.requests = 100, .concurrency = 4, .latency_scale = 1.0, .faults = true};
  LoadSummary s;
  auto r = test::run_fifo([&] {
    auto [stop, cancel] = with_cancel(background());
    after_func(30ms, [cancel = cancel] { cancel(); });
    s = run_load(config, stop);
    CHECK(since_start() == 30ms);
  });
  INFO(sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  CHECK(s.sent == 9);
  CHECK(s.answered == 9);
  CHECK(count(s, Outcome::assigned) == 4);
  CHECK(count(s, Outcome::cancelled) == 5);
}

TEST_CASE("dispatch load: with store faults drawn by the schedule, every request is answered within the limit", "[dispatch-server][load][explore]") {
  LoadConfig config{.requests = 12, .concurrency = 3, .latency_scale = 1.0, .faults = true};
  test::passes_everywhere([&] { check_load(config, run_load(config, background())); });
}
