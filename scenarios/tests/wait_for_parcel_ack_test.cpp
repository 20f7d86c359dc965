// wait_for_parcel_ack: one overall deadline however many unrelated acks
// arrive; the deterministic timeout test is the first case.
#include "scenarios/patterns/wait_for_parcel_ack.hpp"

#include "scenarios/mistakes/after_in_loop.hpp"

#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("wait_for_parcel_ack: times out at exactly +30s when no ack comes", "[patterns][wait_for_parcel_ack]") {
  // A 30s wait takes microseconds; the verdict is passed, so its timer was
  // stopped and nothing was left behind.
  auto r = test::run_fifo([] {
    Chan<Ack> acks(0);
    CHECK(wait_for_parcel_ack(background(), acks, 1, 30s) == AckOutcome::timed_out);
    CHECK(since_start() == 30s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(r.elapsed() == 30s);
}

TEST_CASE("wait_for_parcel_ack: unrelated acks do not move the deadline", "[patterns][wait_for_parcel_ack]") {
  // Acks for parcel 2 every 10s for two minutes (the chatty app of
  // mistakes/after_in_loop): still timed out at exactly +30s.
  auto r = test::run_fifo([] { chatty_ack_check(&wait_for_parcel_ack); });
  INFO(sim::to_string(r));
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(r.elapsed() == 30s);  // the app stops on the cancel that follows
}

TEST_CASE("wait_for_parcel_ack: acked, cancelled and closed", "[patterns][wait_for_parcel_ack]") {
  auto r = test::run_fifo([] {
    Chan<Ack> acks(2);
    acks.send(Ack{2});
    acks.send(Ack{1});
    CHECK(wait_for_parcel_ack(background(), acks, 1, 30s) == AckOutcome::acked);  // skips parcel 2's ack
    auto [ctx, cancel] = with_cancel(background());
    after_func(12s, [cancel = cancel] { cancel(); });
    CHECK(wait_for_parcel_ack(ctx, acks, 1, 30s) == AckOutcome::cancelled);
    CHECK(since_start() == 12s);
    acks.close();
    CHECK(wait_for_parcel_ack(background(), acks, 1, 30s) == AckOutcome::closed);
    CHECK(since_start() == 12s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}
