// RapidCheck schedules: a lost update is found by generating schedules, and
// the counterexample shrinks to the fewest departures from FIFO, together
// with the property's other inputs. RapidCheck runs with a fixed seed here
// (TestParams), so the search and the shrinking are the same on every run and
// the minimal counterexample is asserted exactly.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <numeric>

#include "lockstep.hpp"
#include "testing/rapidcheck.hpp"

namespace lt = lockstep::testing;
namespace sim = lockstep::sim;

namespace {

// Every deposit is a fiber that reads the balance and writes it back plus its
// amount: a switch between the two loses a deposit. FIFO never switches.
void deposit_concurrently(const std::vector<int>& amounts) {
  lockstep::Atomic<std::int64_t> balance{0};  // 64 bits: generated ints must not overflow
  lockstep::WaitGroup wg;
  wg.add(static_cast<std::int64_t>(amounts.size()));
  for (int amount : amounts)
    lockstep::go("depositor", [&, amount] {
      std::int64_t seen = balance.load();
      balance.store(seen + amount);
      wg.done();
    });
  wg.wait();
  std::int64_t expected = std::accumulate(amounts.begin(), amounts.end(), std::int64_t{0});
  if (balance.load() != expected)
    throw std::runtime_error(fmt::format("balance {} != {}", balance.load(), expected));
}

struct Outcome {
  rc::detail::TestResult result = rc::detail::SuccessResult{};
  lt::Schedule schedule;  // of the last failing case: the minimal one
  std::vector<int> amounts;
};

Outcome check_deposits(std::uint64_t rc_seed) {
  Outcome out;
  rc::detail::TestParams params;
  params.seed = rc_seed;
  params.maxSuccess = 200;
  out.result = rc::detail::checkTestable(
      [&out](const lt::Schedule& s, const std::vector<int>& amounts) {
        RC_PRE(amounts.size() <= 6u);
        try {
          lt::check_schedule(s, [&amounts] { deposit_concurrently(amounts); });
        } catch (...) {
          out.schedule = s;
          out.amounts = amounts;
          throw;
        }
      },
      rc::detail::TestMetadata{}, params);
  return out;
}

}  // namespace

TEST_CASE("rapidcheck: fifo is the empty schedule and passes", "[rapidcheck]") {
  auto report = lt::run_schedule({}, [] { deposit_concurrently({1, 2, 3}); });
  CHECK(report.passed());
  CHECK(lt::decisions_off_fifo(report) == 0);
  CHECK(report.replay_token == "lockstep1:replay:seed=0:then=fifo:d=");
}

// The lost update needs one non-zero deposit overwritten by a stale store:
// amounts shrink to [0, 1] together with the schedule, the tail to FIFO,
// and the decisions to a few departures from FIFO. Shrinking stops at a local
// minimum: a single departure ([0, 0, 0, 0, 1]: switch away between the
// first depositor's load and store) exists, but reaching it from
// [0, 1, 0, 1] would need a departure to move, which the shrinker does not
// try (testing/rapidcheck.hpp). The counterexample's text carries the
// report, the dump, the departures and an exact replay token.
TEST_CASE("rapidcheck: a lost update shrinks with its inputs toward fifo", "[rapidcheck]") {
  for (std::uint64_t rc_seed : {1u, 2u, 3u}) {
    Outcome out = check_deposits(rc_seed);
    INFO("rapidcheck seed " << rc_seed);
    REQUIRE(out.result.is<rc::detail::FailureResult>());
    const auto& failure = out.result.get<rc::detail::FailureResult>();
    CHECK(out.amounts == std::vector<int>{0, 1});
    CHECK(out.schedule.seed == 0);
    auto report = lt::run_schedule(out.schedule, [&] { deposit_concurrently(out.amounts); });
    CHECK(report.verdict == sim::Verdict::exception);
    CHECK(lt::decisions_off_fifo(report) <= 3);
    CHECK(out.schedule.decisions.size() <= 4);
    CHECK_THAT(failure.description, Catch::Contains(": balance 0 != 1\n"));
    CHECK_THAT(failure.description,
               Catch::Contains(fmt::format("decisions off FIFO: {} of {}\n", lt::decisions_off_fifo(report),
                                           report.decision_count)));
    CHECK_THAT(failure.description, Catch::Contains("replay with LOCKSTEP_REPLAY='" + report.replay_token + "'"));
    CHECK_THAT(failure.description, Catch::Contains("goroutine dump at +0s"));
    if (rc_seed == 1) {
      CHECK(out.schedule.decisions == std::vector<std::uint32_t>{0, 1, 0, 1});
      CHECK(report.replay_token == "lockstep1:replay:seed=0:then=fifo:d=0.1.0.1");
    }
  }
}

// The token a counterexample prints reproduces it through LOCKSTEP_REPLAY's
// parser, with no RapidCheck involved.
TEST_CASE("rapidcheck: a counterexample's token replays the failure", "[rapidcheck]") {
  sim::Options o;
  o.replay = "lockstep1:replay:seed=0:then=fifo:d=0.1.0.1";
  auto report = sim::run([] { deposit_concurrently({0, 1}); }, o);
  CHECK(report.verdict == sim::Verdict::exception);
  CHECK_THAT(report.message, Catch::EndsWith(": balance 0 != 1"));
  auto fifo = sim::run([] { deposit_concurrently({0, 1}); });
  CHECK(fifo.passed());
}

// A random tail is replaced by the decisions it took, so the shrinker can
// drop them: the schedule {[], random(seed)} that fails shrinks first to the
// same run with a FIFO tail.
TEST_CASE("rapidcheck: the first shrink of a random tail is the run it took", "[rapidcheck]") {
  lt::Schedule s{{}, 3};
  auto report = lt::run_schedule(s, [] { deposit_concurrently({0, 1}); });
  REQUIRE(report.decisions.size() > 0);
  auto shrinks = lt::detail::shrink_schedule(s);
  auto first = shrinks.next();
  REQUIRE(first);
  CHECK(first->seed == 0);
  CHECK(first->decisions == lt::detail::canonical(report.decisions));
  CHECK(lt::run_schedule(*first, [] { deposit_concurrently({0, 1}); }).decisions == report.decisions);
}

// The everyday form: rc::prop under Catch, the schedule generated through
// rc::Arbitrary<Schedule> beside the other inputs. With the deposits under a
// mutex, no generated schedule loses one; the count proves the property ran.
TEST_CASE("rapidcheck: rc::prop explores schedules of a correct program", "[rapidcheck]") {
  static int runs = 0;
  runs = 0;
  rc::prop("locked deposits add up", [](const lt::Schedule& s, std::vector<int> amounts) {
    amounts.resize(std::min<std::size_t>(amounts.size(), 4));  // RC_PRE would discard too many
    ++runs;
    lt::check_schedule(s, [&amounts] {
      lockstep::Mutex mu;
      lockstep::WaitGroup wg;
      std::int64_t balance = 0;  // 64 bits: generated ints must not overflow
      wg.add(static_cast<std::int64_t>(amounts.size()));
      for (int amount : amounts)
        lockstep::go("depositor", [&, amount] {
          {
            std::lock_guard lock(mu);
            std::int64_t seen = balance;
            lockstep::yield();
            balance = seen + amount;
          }
          wg.done();  // last: once it is done, main may return and destroy mu
        });
      wg.wait();
      RC_ASSERT(balance == std::accumulate(amounts.begin(), amounts.end(), std::int64_t{0}));
    });
  });
  CHECK(runs == 100);
}
