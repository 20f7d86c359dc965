// Proves the wait-for graph names who waits for whom at deadlock and leak
// verdicts, and mid-run through sim::wait_graph(): each test runs a small
// program and compares the graph's text (or DOT) with the exact expected text.
#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "lockstep.hpp"

using namespace std::chrono_literals;
using namespace lockstep;

TEST_CASE("probe", "[probe]") {
  auto show = [](const sim::Report& r) { std::cout << "=====\n" << to_string(r) << "\n"; };
  // mutex + channel
  show(sim::run([] {
    Mutex mu;
    Chan<bool> updates(0);
    WaitGroup wg;
    wg.add(2);
    go("watch", [&] {
      mu.lock();
      sleep(3s);
      updates.send(true);
      mu.unlock();
      wg.done();
    });
    go("lbWatcher", [&] {
      sleep(1s);
      mu.lock();
      (void)updates.recv();
      mu.unlock();
      wg.done();
    });
    wg.wait();
  }));
  // AB-BA
  show(sim::run([] {
    Mutex a, b;
    WaitGroup wg;
    wg.add(2);
    go("ab", [&] { a.lock(); sleep(1s); b.lock(); });
    go("ba", [&] { b.lock(); sleep(1s); a.lock(); });
    wg.wait();
  }));
  // lone recv
  show(sim::run([] {
    Chan<int> c(0);
    (void)c.recv();
  }));
  // leak
  show(sim::run([] {
    Chan<int> c(0);
    Mutex mu;
    go("stuck", [c] { (void)c.recv(); });
    go("select", [c] { Chan<int> d(0); select(on_recv(c), on_send(d, 1, [] {})); });
  }));
  // mid-run
  sim::run([] {
    Mutex mu;
    mu.lock();
    go("waiter", [&] { mu.lock(); mu.unlock(); });
    sim::wait();
    std::cout << "=====\n" << sim::wait_graph().text() << sim::wait_graph().dot();
    mu.unlock();
  });
}
