// run_workers: n workers share the jobs; failures come out of an error
// channel closed after the last worker; cancel stops them. Each job takes
// 100ms, so 10 jobs on 3 workers end at 400ms.
#include <algorithm>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "scenarios/patterns/active_lookups.hpp"
#include "scenarios/patterns/run_workers.hpp"
#include "scenarios/sleep_ctx.hpp"
#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

namespace {

// jobs_1_to_10() fills a buffered channel with jobs 1..10 and closes it.
Chan<int> jobs_1_to_10() {
  Chan<int> jobs(10);
  for (int j = 1; j <= 10; ++j) jobs.send(j);
  jobs.close();
  return jobs;
}

}  // namespace

TEST_CASE("run_workers: at most n at once, every error reported, then the error channel closes", "[patterns][run_workers][explore]") {
  // Jobs 4 and 7 fail. On every schedule: both errors come out, never more
  // than 3 jobs run at once, and the pool is done at 400ms.
  test::passes_everywhere(&check_run_workers);
}

TEST_CASE("run_workers: cancelling stops every worker and closes the error channel", "[patterns][run_workers]") {
  // Cancelled at 150ms: the jobs in progress end at once (their sleep sees
  // the cancel) and no new job starts; the errors channel closes at 150ms.
  auto r = test::run_fifo([] {
    auto [ctx, cancel] = with_cancel(background());
    after_func(150ms, [cancel = cancel] { cancel(); });
    Atomic<int> started{0};
    auto errors = run_workers(ctx, jobs_1_to_10(), 3, [&](const Context& c, int) -> Error {
      started.fetch_add(1);
      return sleep_ctx(c, 100ms);
    });
    int cancelled = 0;
    for (Error e : errors) cancelled += is_canceled(e) ? 1 : 0;
    CHECK(started.load() == 6);
    CHECK(cancelled == 0);  // a cancelled worker does not report the cancel
    CHECK(since_start() == 150ms);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}
