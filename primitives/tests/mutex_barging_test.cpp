// Mutex barging: Go's sync.Mutex lets a lock() or try_lock() take the mutex
// from the waiter unlock() woke, before that waiter runs; here that window is
// a decision (primitives/mutex.hpp, "Barging"). Proved by exact outcomes:
// fifo keeps the direct hand-off and counts one decision per window; a
// program correct only under FIFO hand-off is caught by random at an exact
// seed and its replay token reproduces it; try_lock() sees the mutex free
// when barging is chosen, and the barged waiter gets it at the next unlock;
// a waiter barged after more than 1 ms of waiting turns starvation mode on,
// which closes the window. Times are virtual and exact.
#include <stdexcept>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Mutex;
using lockstep::test::run_sim;
using lockstep::test::seeded;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

namespace {

// Turn-taking that relies on FIFO hand-off: main unlocks and locks again at
// once, assuming the worker queued behind it had its turn in between. Go
// lets main barge, so the assumption is a bug.
struct Turns {
  bool worker_had_its_turn = false;
  sim::Report report;
};

Turns take_turns(const sim::Options& options) {
  Turns out;
  out.report = run_sim(
      [&out] {
        Mutex mu;
        mu.lock();
        lockstep::go([&] {
          mu.lock();
          out.worker_had_its_turn = true;
          mu.unlock();
        });
        lockstep::sleep(1ms);  // the worker queues
        mu.unlock();
        mu.lock();
        bool had = out.worker_had_its_turn;
        mu.unlock();
        if (!had) throw std::runtime_error("main locked again before the worker's turn");
      },
      options);
  return out;
}

// main unlocks with `waiter` queued since `queued`, then tries to lock at
// once; the trace says who got the mutex when.
sim::Report try_in_window(const sim::Options& options, Trace& trace) {
  return run_sim(
      [&] {
        Mutex mu;
        mu.lock();
        lockstep::go([&] {
          mu.lock();
          trace.add("waiter locked");
          mu.unlock();
        });
        lockstep::sleep(1ms);
        mu.unlock();
        if (mu.try_lock()) {
          trace.add("main barged");
          lockstep::sleep(1ms);
          mu.unlock();
        } else {
          trace.add("main waited");
        }
        lockstep::sleep(1s);
      },
      options);
}

sim::Options replaying(std::vector<std::uint32_t> decisions) {
  sim::Options o;
  o.strategy = sim::Strategy::replay(std::move(decisions));
  return o;
}

}  // namespace

TEST_CASE("mutex barging: fifo hands the mutex to the waiter, one decision per window",
          "[mutex][barging][fifo]") {
  Turns t = take_turns({});
  CHECK(t.report.passed());
  CHECK(t.worker_had_its_turn);
  // go() is a scheduling point (main or the new worker); after unlock()
  // readied the worker, main's lock() is another (main or the worker), then
  // the window (wait or barge).
  CHECK(t.report.decision_count == 3);
  CHECK(t.report.decisions.empty());
}

TEST_CASE("mutex barging: random catches a program correct only under FIFO hand-off",
          "[mutex][barging][random]") {
  std::uint64_t first_failure = 0;
  for (std::uint64_t seed = 1; seed <= 100 && first_failure == 0; ++seed)
    if (!take_turns(seeded(sim::Strategy::random(), seed)).report.passed()) first_failure = seed;
  // Barging is the rare alternative (1 in sim::kRareOdds under random).
  CHECK(first_failure == 18u);
  Turns failed = take_turns(seeded(sim::Strategy::random(), first_failure));
  CHECK_FALSE(failed.worker_had_its_turn);
  CHECK(failed.report.verdict == sim::Verdict::exception);
  // The worker runs first and queues; main keeps running after its unlock,
  // and barges.
  CHECK(failed.report.decisions == std::vector<std::uint32_t>{1, 1, 0, 1, 0});
  CHECK(failed.report.replay_token == "lockstep1:random:seed=18");
  sim::Options replay;
  replay.replay = failed.report.replay_token;
  Turns again = take_turns(replay);
  CHECK(again.report.verdict == sim::Verdict::exception);
  CHECK(again.report.decisions == failed.report.decisions);
  // Decisions replay it too: FIFO's {0, 0, 0} with the window's turned to 1.
  CHECK(take_turns(replaying({0, 0, 1})).report.verdict == sim::Verdict::exception);
  CHECK(take_turns(replaying({0, 0, 0})).report.passed());
}

TEST_CASE("mutex barging: try_lock sees the mutex free in the window when barging is chosen",
          "[mutex][barging][try_lock]") {
  Trace fifo;
  CHECK(try_in_window({}, fifo).passed());
  CHECK(fifo.events == std::vector<std::string>{"main waited@1ms", "waiter locked@1ms"});
  Trace barged;
  sim::Report r = try_in_window(replaying({0, 0, 1}), barged);  // go(), try_lock(), the window
  CHECK(r.passed());
  // The barged waiter ran, found the mutex held and queued first again; it
  // got it at main's unlock.
  CHECK(barged.events == std::vector<std::string>{"main barged@1ms", "waiter locked@2ms"});
}

TEST_CASE("mutex barging: a waiter barged after more than 1 ms turns starvation mode on",
          "[mutex][barging][starvation]") {
  // main holds the mutex for `held` while a worker waits, then unlocks and
  // locks again in the window: 1 barges. The barged worker runs, finds it
  // held and queues first again. main unlocks and locks once more: if the
  // worker had waited more than 1 ms (Go's starvationThresholdNs, strictly
  // more), the mutex is in starvation mode: no decision, main waits. Else a
  // second window, and 1 barges again.
  auto run = [](lockstep::Duration held, Trace& trace) {
    // Decisions: go(), then per window main keeps running and barges; the
    // yield lets the worker run.
    return run_sim(
        [&] {
          Mutex mu;
          mu.lock();
          lockstep::go([&] {
            mu.lock();
            trace.add("worker locked");
            mu.unlock();
          });
          lockstep::sleep(held);
          mu.unlock();
          mu.lock();  // barges
          lockstep::yield();  // the worker runs, finds it held, queues first
          mu.unlock();
          mu.lock();  // starvation mode: waits; else barges again
          trace.add("main locked again");
          mu.unlock();
          lockstep::sleep(1s);  // the worker is done before `mu` goes
        },
        replaying({0, 0, 1, 0, 0, 1}));
  };
  Trace starved;
  sim::Report r = run(2ms, starved);
  CHECK(r.passed());
  CHECK(starved.events == std::vector<std::string>{"worker locked@2ms", "main locked again@2ms"});
  Trace exactly_1ms;
  CHECK(run(1ms, exactly_1ms).passed());
  CHECK(exactly_1ms.events == std::vector<std::string>{"main locked again@1ms", "worker locked@1ms"});
}

TEST_CASE("mutex barging: a barged waiter whose mutex is destroyed before it runs returns",
          "[mutex][barging][teardown]") {
  // main barges, unlocks and destroys the mutex while the barged waiter has
  // not run yet: the waiter must not touch the dead mutex (it returns from
  // lock(), as a waiter handed a destroyed mutex does).
  Trace trace;
  sim::Report r = run_sim(
      [&] {
        {
          Mutex mu;
          mu.lock();
          lockstep::go([&] {
            mu.lock();
            trace.add("waiter returned");
          });
          lockstep::sleep(1ms);
          mu.unlock();
          mu.lock();  // barges
          mu.unlock();
        }
        lockstep::sleep(1s);
      },
      replaying({0, 0, 1, 0}));
  CHECK(r.passed());
  CHECK(trace.events == std::vector<std::string>{"waiter returned@1ms"});
}
