// ReadyQueue: pickers wait in a re-check loop; push signals one picker,
// close broadcasts to all. Every job is taken exactly once on every schedule.
#include <algorithm>
#include <vector>

#include "scenarios/patterns/ready_queue.hpp"
#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("ready_queue: every job taken once, pickers released by close", "[patterns][ready_queue][explore]") {
  // Three jobs pushed 1s apart to two pickers, closed at 5s: on every
  // schedule each job is taken exactly once and both pickers return at 5s.
  test::passes_everywhere(&check_ready_queue);
}

TEST_CASE("ready_queue: a job pushed before anyone waits is not lost", "[patterns][ready_queue]") {
  // signal() is not remembered, but the job is: a later pop() takes it at once.
  auto r = test::run_fifo([] {
    ReadyQueue queue;
    queue.push(Parcel{9, 1});
    sleep(1s);
    CHECK(queue.pop() == Parcel{9, 1});
    CHECK(since_start() == 1s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}
