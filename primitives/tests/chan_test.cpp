// Channels: blocking and handoff, buffering, close, nil channels, range,
// move-only values, directional views, FIFO waiters, dump text and misuse.
// Times are virtual and exact.
#include <memory>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

TEST_CASE("chan: unbuffered send blocks until a receive", "[chan]") {
  Trace trace;
  run_checked([&] {
    Chan<int> ch(0);
    lockstep::go([&, ch] {
      lockstep::sleep(2s);
      trace.add(fmt::format("got {}", *ch.recv()));
    });
    ch.send(7);
    trace.add("sent");
    lockstep::sleep(1s);
  });
  // The receiver takes the value from the waiting sender and runs on; the
  // sender resumes after it.
  CHECK(trace.events == std::vector<std::string>{"got 7@2s", "sent@2s"});
}

TEST_CASE("chan: a full buffer blocks the sender until a receive makes room", "[chan][buffered]") {
  Trace trace;
  run_checked([&] {
    Chan<int> ch(2);
    lockstep::go([&, ch] {
      for (int i = 1; i <= 3; ++i) {
        ch.send(i);
        trace.add(fmt::format("sent {}", i));
      }
    });
    lockstep::sleep(5s);
    CHECK(ch.len() == 2);
    CHECK(ch.cap() == 2);
    trace.add(fmt::format("recv {}", *ch.recv()));
    lockstep::sim::wait();
    CHECK(ch.len() == 2);
    CHECK(*ch.recv() == 2);
    CHECK(*ch.recv() == 3);
  });
  CHECK(trace.events == std::vector<std::string>{"sent 1@0s", "sent 2@0s", "recv 1@5s", "sent 3@5s"});
}

TEST_CASE("chan: close wakes every receiver, they see nullopt after draining", "[chan][close]") {
  std::vector<std::string> seen;
  run_checked([&] {
    Chan<int> ch(1);
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, ch, i] {
        auto v = ch.recv();
        seen.push_back(fmt::format("r{}:{}@{}", i, v ? std::to_string(*v) : "closed",
                                   lockstep::format_duration(lockstep::Clock::now() - lockstep::kSimulationEpoch)));
      });
    lockstep::sim::wait();
    lockstep::sleep(1s);
    ch.send(10);
    lockstep::sim::wait();
    lockstep::sleep(1s);
    ch.close();
    lockstep::sim::wait();
    CHECK(ch.recv() == std::nullopt);  // closed and drained: never blocks again
    auto t = ch.try_recv();
    CHECK(t.status == lockstep::ChanStatus::closed);
  });
  CHECK(seen == std::vector<std::string>{"r0:10@1s", "r1:closed@2s", "r2:closed@2s"});
}

TEST_CASE("chan: values buffered before close are still received", "[chan][close][both]") {
  run_both([] {
    Chan<int> ch(3);
    ch.send(1);
    ch.send(2);
    ch.close();
    CHECK(ch.recv() == 1);
    CHECK(ch.recv() == 2);
    CHECK(ch.recv() == std::nullopt);
  });
}

TEST_CASE("chan: range-for ends at close", "[chan][range][both]") {
  run_both([] {
    std::vector<int> got;
    Chan<int> ch(0);
    lockstep::go([ch] {
      for (int i = 0; i < 5; ++i) ch.send(i * i);
      ch.close();
    });
    for (int v : ch) got.push_back(v);
    CHECK(got == std::vector<int>{0, 1, 4, 9, 16});
  });
}

TEST_CASE("chan: range-for lets go of each value before it waits for the next", "[chan][range]") {
  // The loop's iterator holds the value it received until the loop asks for
  // the next one, and drops it then, before that receive blocks: each value
  // ends at the instant it arrived, not a second later with the next one.
  Trace trace;
  run_checked([&] {
    Chan<std::shared_ptr<int>> ch(0);
    lockstep::go([&trace, ch] {
      for (int i = 0; i < 3; ++i) {
        lockstep::sleep(1s);
        ch.send(std::shared_ptr<int>(new int(i), [&trace](int* p) {
          trace.add(fmt::format("drop {}", *p));
          delete p;
        }));
      }
      ch.close();
    });
    for (auto& p : ch) trace.add(fmt::format("got {}", *p));
  });
  CHECK(trace.events == std::vector<std::string>{"got 0@1s", "drop 0@1s", "got 1@2s", "drop 1@2s",
                                                 "got 2@3s", "drop 2@3s"});
}

TEST_CASE("chan: move-only values pass through", "[chan][both]") {
  run_both([] {
    Chan<std::unique_ptr<int>> ch(1);
    ch.send(std::make_unique<int>(5));
    Chan<std::unique_ptr<int>> unbuffered(0);
    lockstep::go([unbuffered] { unbuffered.send(std::make_unique<int>(6)); });
    CHECK(**ch.recv() == 5);
    CHECK(**unbuffered.recv() == 6);
  });
}

TEST_CASE("chan: a copy is the same channel", "[chan][both]") {
  run_both([] {
    Chan<int> a(1);
    Chan<int> b = a;
    a.send(3);
    CHECK(b.len() == 1);
    CHECK(a == b);
    CHECK(b.recv() == 3);
    CHECK(Chan<int>() == Chan<int>());
    CHECK_FALSE(a == Chan<int>(1));
  });
}

TEST_CASE("chan: waiters are served first come, first served", "[chan][fifo]") {
  std::vector<int> order;
  run_checked([&] {
    Chan<int> ch(0);
    for (int i = 0; i < 4; ++i)
      lockstep::go([&, ch, i] {
        lockstep::sleep(std::chrono::seconds(i));  // arrive in order 0..3
        ch.recv();
        order.push_back(i);
      });
    lockstep::sleep(10s);
    for (int i = 0; i < 4; ++i) ch.send(i);
    lockstep::sim::wait();
  });
  CHECK(order == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("chan: try_send and try_recv never block", "[chan][try][both]") {
  // In a simulation a block would be a deadlock; on real threads, a hang.
  run_both([] {
    Chan<int> ch(1);
    CHECK(ch.try_recv().status == lockstep::ChanStatus::would_block);
    CHECK(ch.try_send(1));
    CHECK_FALSE(ch.try_send(2));  // full
    auto r = ch.try_recv();
    REQUIRE(r);
    CHECK(*r.value == 1);
    Chan<int> unbuffered(0);
    CHECK_FALSE(unbuffered.try_send(1));  // no receiver waiting
    Chan<int> nil;
    CHECK_FALSE(nil.try_send(1));
    CHECK(nil.try_recv().status == lockstep::ChanStatus::would_block);
  });
}

template <class C>
concept can_recv = requires(C c) { c.recv(); };
template <class C>
concept can_send = requires(C c) { c.send(1); };
template <class C>
concept can_close = requires(C c) { c.close(); };

TEST_CASE("chan: directional views share the channel", "[chan][direction][both]") {
  run_both([] {
    Chan<int> ch(1);
    lockstep::SendChan<int> out = ch;
    lockstep::RecvChan<int> in = ch;
    out.send(4);
    CHECK(in.recv() == 4);
    out.close();
    CHECK(in.recv() == std::nullopt);
  });
  // The compiler rejects the wrong direction:
  static_assert(can_recv<Chan<int>> && can_send<Chan<int>> && can_close<Chan<int>>);
  static_assert(!can_recv<lockstep::SendChan<int>>);
  static_assert(!can_send<lockstep::RecvChan<int>>);
  static_assert(!can_close<lockstep::RecvChan<int>>);
}

TEST_CASE("chan: the dump names the channel and the wait reason", "[chan][dump]") {
  int line = 0;
  auto r = run_sim([&] {
    Chan<int> ch(2);
    ch.send(1);
    Chan<std::string> names(0);
    lockstep::go("reader", [names] { names.recv(); });
    lockstep::go("nil-sender", [] { Chan<int>().send(1); });
    lockstep::sleep(1s);
    line = __LINE__ + 1;
    ch.send(2), ch.send(3);
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 3);
  CHECK(r.fibers[0].reason == "chan send");
  CHECK(r.fibers[0].object == "chan<int> #1 cap=2 len=2");
  CHECK(r.fibers[0].site.line() == static_cast<unsigned>(line));
  CHECK(r.fibers[1].reason == "chan receive");
  CHECK_THAT(r.fibers[1].object, Catch::Matches("chan<std::.*string.*> #2 cap=0 len=0"));
  CHECK(r.fibers[2].reason == "chan send (nil chan)");
  CHECK(r.fibers[2].object.empty());
}

TEST_CASE("chan: misuse names the fiber, the channel and the site", "[chan][misuse]") {
  SECTION("send on a closed channel") {
    auto r = run_sim([] {
      Chan<int> ch(1);
      ch.close();
      ch.send(1);
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: send on closed channel on chan<int> #1 cap=1 "
                                          "len=0 closed (in fiber 1 \"main\", at primitives/tests/chan_test.cpp:"));
  }
  SECTION("a sender waiting when the channel closes") {
    auto r = run_sim([] {
      Chan<int> ch(0);
      lockstep::go("late-sender", [ch] { ch.send(1); });
      lockstep::sim::wait();
      ch.close();
      lockstep::sim::wait();
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("send on closed channel (it was closed while the sender waited)"));
    CHECK_THAT(r.message, Catch::Contains("in fiber 2 \"late-sender\""));
  }
  SECTION("close of a closed channel") {
    auto r = run_sim([] {
      Chan<int> ch(0);
      ch.close();
      ch.close();
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: close of closed channel on chan<int> #1"));
  }
  SECTION("close of a nil channel") {
    auto r = run_sim([] { Chan<int>().close(); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: close of nil channel (in fiber 1 \"main\""));
  }
  SECTION("a channel of one simulation used from another") {
    Chan<int> leaked;
    run_checked([&] { leaked = Chan<int>(1); });
    auto r = run_sim([&] { leaked.send(1); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("use of an object that belongs to another simulation on chan<int> #1"));
  }
  SECTION("a channel of a simulation used from a real thread") {
    Chan<int> leaked;
    run_checked([&] { leaked = Chan<int>(1); });
    CHECK_THROWS_WITH(leaked.try_send(1),
                      Catch::StartsWith("lockstep: use from a real thread of an object that belongs to a "
                                        "simulation on chan<int> #1 cap=1 len=0 (in thread "));
  }
}

TEST_CASE("chan: a nil channel blocks forever", "[chan][nil]") {
  auto r = run_sim([] { Chan<int>().recv(); });
  CHECK(r.verdict == sim::Verdict::deadlock);
  CHECK(r.fibers.at(0).reason == "chan receive (nil chan)");
}

TEST_CASE("chan: a channel made outside any simulation serves successive simulations",
          "[chan][ownership]") {
  // Regression: such a channel stayed bound to the first simulation forever.
  Chan<int> global(1);
  run_checked([&] {
    global.send(1);
    CHECK(global.recv() == 1);
  });
  run_checked([&] {
    global.send(2);
    CHECK(global.recv() == 2);
  });
  CHECK(global.try_send(3));  // and outside any simulation, once idle
  CHECK(global.try_recv().value == 3);
}

TEST_CASE("chan: range-for blocks at the loop's site in dumps", "[chan][range][dump]") {
  int line = 0;
  auto r = run_sim([&] {
    Chan<int> ch(0);
    line = __LINE__ + 1;
    for (int v : ch) (void)v;
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  CHECK(r.fibers.at(0).site.line() == static_cast<unsigned>(line));
}

TEST_CASE("chan: a select that takes its default leaves a global channel free", "[chan][ownership]") {
  // Regression: the default path did not unbind, so the next simulation was
  // told the channel was "left in use by a simulation that has ended".
  static Chan<int> global(1);
  run_checked([] { lockstep::select(lockstep::on_recv(global), lockstep::on_default([] {})); });
  run_checked([] {
    global.send(1);
    CHECK(global.recv() == 1);
  });
}

TEST_CASE("chan: a global holding values for a thread outside is not taken by a simulation",
          "[chan][ownership]") {
  // Regression: use from outside never bound, so a simulation could take
  // the object while a thread was using it.
  static Chan<int> global(2);
  REQUIRE(global.try_send(1));  // outside: holds a value, so it is bound
  auto r = run_sim([] { global.try_recv(); });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("use of an object that a thread outside any simulation is using"));
  CHECK(global.try_recv().value == 1);  // idle again: free
  run_checked([] { CHECK(global.try_send(2)); CHECK(global.recv() == 2); });
}
