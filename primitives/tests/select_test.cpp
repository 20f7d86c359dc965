// select: ready cases run at once, chosen through the strategy; default never
// blocks; blocking waits for the first case and leaves no stale waiter; nil
// cases are skipped; dumps and misuse.
#include <set>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::on_default;
using lockstep::on_recv;
using lockstep::on_send;
using lockstep::select;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::seeded;
namespace sim = lockstep::sim;

TEST_CASE("select: with default never blocks", "[select][default][both]") {
  // In a simulation a block would be a deadlock; on real threads, a hang.
  run_both([] {
    Chan<int> a(0), b(0);
    int ran = -1;
    auto index = select(on_recv(a, [&](std::optional<int>) { ran = 0; }),
                        on_send(b, 1, [&] { ran = 1; }), on_default([&] { ran = 2; }));
    CHECK(index == 2);
    CHECK(ran == 2);
  });
}

TEST_CASE("select: a ready case runs instead of default", "[select][both]") {
  run_both([] {
    Chan<int> a(1);
    a.send(5);
    std::optional<int> got;
    auto index = select(on_recv(a, [&](std::optional<int> v) { got = v; }), on_default([] {}));
    CHECK(index == 0);
    CHECK(got == 5);
  });
}

TEST_CASE("select: blocks until the first case fires and leaves no stale waiter", "[select]") {
  lockstep::test::Trace trace;
  run_checked([&] {
    Chan<int> slow(0), fast(0);
    lockstep::go([fast] {
      lockstep::sleep(1s);
      fast.send(1);
    });
    select(on_recv(slow, [&](std::optional<int>) { trace.add("slow"); }),
           on_recv(fast, [&](std::optional<int> v) { trace.add(fmt::format("fast {}", *v)); }));
    // The select's waiter on `slow` is gone: a later sender blocks, and
    // try_send finds no receiver.
    CHECK_FALSE(slow.try_send(2));
  });
  CHECK(trace.events == std::vector<std::string>{"fast 1@1s"});
}

TEST_CASE("select: a blocked send case delivers to a later receiver", "[select][send]") {
  int got = 0;
  run_checked([&] {
    Chan<int> out(0), never(0);
    lockstep::go([&, out] {
      lockstep::sleep(3s);
      got = *out.recv();
    });
    auto index = select(on_send(out, 42, [] {}), on_recv(never));
    CHECK(index == 0);
    CHECK(lockstep::Clock::now() == lockstep::kSimulationEpoch + 3s);
    lockstep::sim::wait();
  });
  CHECK(got == 42);
}

TEST_CASE("select: picks each ready case under some seed, the same one under the same seed",
          "[select][strategy]") {
  auto pick = [](std::uint64_t seed) {
    std::size_t index = 99;
    run_checked(
        [&] {
          Chan<int> a(1), b(1), c(1);
          a.send(1);
          b.send(2);
          c.send(3);
          index = select(on_recv(a), on_recv(b), on_recv(c));
        },
        seeded(sim::Strategy::random(), seed));
    return index;
  };
  std::set<std::size_t> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) seen.insert(pick(seed));
  CHECK(seen == std::set<std::size_t>{0, 1, 2});
  CHECK(pick(7) == pick(7));
  // Under fifo the first ready case wins.
  std::size_t fifo_index = 99;
  run_checked([&] {
    Chan<int> a(1), b(1);
    b.send(1);
    a.send(1);
    fifo_index = select(on_recv(a), on_recv(b));
  });
  CHECK(fifo_index == 0);
}

TEST_CASE("select: every ready case comes up, under random and on real threads", "[select][strategy][both]") {
  // Three channels stay ready (each taken value is put back); selects repeat
  // until each case has won once. The simulation half draws from a seeded
  // random strategy (deterministic); the real half from the runtime's
  // random choice. 300 rounds bound the loop: on real threads all three come
  // up within them unless the choice is not random (a miss has odds below
  // 3 x (2/3)^300).
  run_both(
      [] {
        Chan<int> a(1), b(1), c(1);
        a.send(0), b.send(1), c.send(2);
        std::set<std::size_t> seen;
        for (int round = 0; round < 300 && seen.size() < 3; ++round) {
          std::size_t index = select(on_recv(a), on_recv(b), on_recv(c));
          seen.insert(index);
          (index == 0 ? a : index == 1 ? b : c).send(static_cast<int>(index));
        }
        CHECK(seen == std::set<std::size_t>{0, 1, 2});
      },
      seeded(sim::Strategy::random(), 3));
}

TEST_CASE("select: nil channel cases are skipped", "[select][nil][both]") {
  run_both([] {
    Chan<int> nil, ready(1);
    ready.send(9);
    std::optional<int> got;
    auto index = select(on_recv(nil), on_send(nil, 1, [] {}),
                        on_recv(ready, [&](std::optional<int> v) { got = v; }));
    CHECK(index == 2);
    CHECK(got == 9);
    CHECK(select(on_recv(nil), on_default([] {})) == 1);
  });
}

TEST_CASE("select: a closed channel's receive case is ready with nullopt", "[select][close]") {
  run_checked([] {
    Chan<int> ch(0);
    lockstep::go([ch] {
      lockstep::sleep(1s);
      ch.close();
    });
    bool closed = false;
    select(on_recv(ch, [&](std::optional<int> v) { closed = !v; }));
    CHECK(closed);
  });
}

TEST_CASE("select: the dump shows every channel it waits on", "[select][dump]") {
  auto r = run_sim([] {
    Chan<int> a(0);
    Chan<bool> b(2);
    Chan<int> nil;
    select(on_recv(a), on_recv(b), on_recv(nil));
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 1);
  CHECK(r.fibers[0].reason == "select");
  CHECK(r.fibers[0].object == "chan<int> #1 cap=0 len=0, chan<bool> #2 cap=2 len=0");
}

TEST_CASE("select: with only nil cases and no default blocks forever", "[select][nil]") {
  auto r = run_sim([] {
    Chan<int> nil;
    select(on_recv(nil));
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  CHECK(r.fibers.at(0).reason == "select (no cases)");
  auto forever = run_sim([] { lockstep::select_forever(); });
  CHECK(forever.fibers.at(0).reason == "select (no cases)");
}

TEST_CASE("select: a send case on a closed channel is misuse", "[select][misuse]") {
  auto r = run_sim([] {
    Chan<int> ch(1);
    ch.close();
    select(on_send(ch, 1, [] {}), on_default([] {}));
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("send on closed channel (in select) on chan<int> #1"));
}

TEST_CASE("select: a select woken by close on its send case is misuse", "[select][misuse]") {
  auto r = run_sim([] {
    Chan<int> ch(0);
    lockstep::go("closer", [ch] {
      lockstep::sleep(1s);
      ch.close();
    });
    select(on_send(ch, 1, [] {}));
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("send on closed channel (closed while select waited)"));
}

TEST_CASE("select: two cases on the same channel", "[select]") {
  run_checked([] {
    Chan<int> ch(0);
    lockstep::go([ch] { ch.send(1); });
    int which = -1;
    select(on_recv(ch, [&] { which = 0; }), on_recv(ch, [&] { which = 1; }));
    CHECK(which == 0);
    CHECK(ch.try_recv().status == lockstep::ChanStatus::would_block);
  });
}

namespace {
// Generic code that forwards its cases: with an empty pack it is `select {}`.
template <class... Cases>
std::size_t select_all(Cases&&... cases) {
  return select(std::forward<Cases>(cases)...);  // line checked below: kSelectAllLine
}
constexpr int kSelectAllLine = __LINE__ - 2;
std::string here(int line) { return fmt::format("primitives/tests/select_test.cpp:{}", line); }
}  // namespace

TEST_CASE("select: with no cases blocks forever, as Go's select {}", "[select][nil]") {
  // A simulation whose fibers are all in `select {}` deadlocks; the dump
  // names the wait "select (no cases)", no object, at the select() call: the
  // generic caller's for the goroutine, main's own for main.
  int run_line = __LINE__ + 1, spawn_line = 0, main_line = 0;
  auto r = run_sim([&] {
    spawn_line = __LINE__ + 1;
    lockstep::go("idler", [] { select_all(); });
    lockstep::sim::wait();
    lockstep::sleep(2s);
    main_line = __LINE__ + 1;
    select();
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  CHECK(r.message == "deadlock: all fibers are blocked and no timer is pending");
  CHECK(r.elapsed() == 2s);
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 1 \"main\" waits in a select with no cases (since +2s): such a select never returns\n"
                    "  fiber 2 \"idler\" waits in a select with no cases (since +0s): such a select never returns\n"
                    "goroutine dump at +2s (2000-01-01T00:00:02Z): 2 fibers in 2 groups\n"
                    "1 fiber blocked [select (no cases)] at " + here(main_line) + ", spawned at " +
                        here(run_line) + "\n"
                        "  fiber 1 \"main\" since +2s\n"
                        "1 fiber blocked [select (no cases)] at " + here(kSelectAllLine) + ", spawned at " +
                        here(spawn_line) + "\n"
                        "  fiber 2 \"idler\" since +0s\n");
}

TEST_CASE("select: a goroutine left in select {} when main returns is a leak", "[select][nil]") {
  int spawn_line = 0;
  auto r = run_sim([&] {
    spawn_line = __LINE__ + 1;
    lockstep::go("idler", [] { select_all(); });
    lockstep::sleep(1s);
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.message == "leak: main returned but 1 fiber remains blocked");
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 2 \"idler\" waits in a select with no cases (since +0s): such a select never returns\n"
                    "goroutine dump at +1s (2000-01-01T00:00:01Z): 1 fiber in 1 group\n"
                    "1 fiber blocked [select (no cases)] at " + here(kSelectAllLine) + ", spawned at " +
                        here(spawn_line) + "\n"
                        "  fiber 2 \"idler\" since +0s\n");
}

TEST_CASE("select: a default case alone returns at once", "[select][default][both]") {
  run_both([] {
    bool ran = false;
    CHECK(select_all(on_default([&] { ran = true; })) == 0);
    CHECK(ran);
  });
}
