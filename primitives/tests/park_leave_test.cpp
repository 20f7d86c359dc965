// A park's leave (runtime/seam.hpp, Leave): what each primitive undoes when
// park() throws instead of returning, run by the runtime before the
// exception leaves park(), so no primitive catches and rethrows.
//
// The handler count proves the "no catch" part: this binary counts every
// exception handler entered (__cxa_begin_catch, interposed below), and a
// teardown must enter exactly one per torn-down fiber, the simulation's own
// (Simulation::run_body). A catch-and-rethrow in a primitive enters two.
// The other tests pin the effects of a leave: a select leaves every queue it
// waited in and unbinds the channels, also when park() throws before it
// switched (a verdict reached in park()). Channels are globals, so that a
// second run can see their queues.
#include <dlfcn.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::test::run_sim;
namespace sim = lockstep::sim;

namespace {

std::atomic<long> g_handlers{0};  // handlers entered by this process

}  // namespace

// The C++ runtime calls this on entering every catch clause; this binary's
// definition interposes the library's, counts, and forwards to it.
extern "C" void* __cxa_begin_catch(void* exception) noexcept {
  using Begin = void* (*)(void*) noexcept;
  static const auto real = reinterpret_cast<Begin>(dlsym(RTLD_NEXT, "__cxa_begin_catch"));
  g_handlers.fetch_add(1, std::memory_order_relaxed);
  return real(exception);
}

namespace {

Chan<int> g_first(0);
Chan<int> g_second(0);
Chan<int> g_stalled(0);

// handlers_at_teardown() is how many handlers a run enters whose main is
// `body(fibers)`: it parks `fibers` fibers on a primitive of its own frame,
// then blocks for good (a deadlock) or returns (a leak), and the teardown
// unwinds every fiber (main's frame outlives them: docs/simulation.md).
long handlers_at_teardown(int fibers, const std::function<void(int)>& body) {
  long before = g_handlers.load(std::memory_order_relaxed);
  auto r = run_sim([&] { body(fibers); });
  long entered = g_handlers.load(std::memory_order_relaxed) - before;
  INFO(sim::to_string(r));
  REQUIRE((r.verdict == sim::Verdict::deadlock || r.verdict == sim::Verdict::leak));
  REQUIRE(r.left_in_place == 0);
  return entered;
}

// A teardown of 8 more fibers enters 8 more handlers: one per fiber.
void check_one_handler_per_fiber(const std::function<void(int)>& body) {
  long eight = handlers_at_teardown(8, body);
  long sixteen = handlers_at_teardown(16, body);
  CHECK(sixteen - eight == 8);
}

void block_for_good() { (void)Chan<int>().recv(); }  // a nil channel

}  // namespace

TEST_CASE("park leave: a teardown enters one handler per fiber, whatever it is parked on",
          "[teardown][leave]") {
  SECTION("channel receive") {
    check_one_handler_per_fiber([](int n) {
      Chan<int> ch(0);
      for (int i = 0; i < n; ++i) lockstep::go([&] { (void)ch.recv(); });
      block_for_good();
    });
  }
  SECTION("channel send") {
    check_one_handler_per_fiber([](int n) {
      Chan<int> ch(0);
      for (int i = 0; i < n; ++i) lockstep::go([&ch, i] { ch.send(i); });
      block_for_good();
    });
  }
  SECTION("select") {
    check_one_handler_per_fiber([](int n) {
      Chan<int> a(0);
      Chan<int> b(0);
      for (int i = 0; i < n; ++i)
        lockstep::go([&] { lockstep::select(lockstep::on_recv(a, [] {}), lockstep::on_send(b, 1, [] {})); });
      block_for_good();
    });
  }
  SECTION("mutex") {
    check_one_handler_per_fiber([](int n) {
      lockstep::Mutex mu;
      mu.lock();
      for (int i = 0; i < n; ++i) lockstep::go([&] { std::lock_guard guard(mu); });
      block_for_good();
    });
  }
  SECTION("rwmutex, readers and writers") {
    check_one_handler_per_fiber([](int n) {
      lockstep::RWMutex rw;
      rw.lock();
      for (int i = 0; i < n; ++i)
        lockstep::go([&rw, i] {
          if (i % 2 == 0)
            rw.rlock();
          else
            rw.lock();
        });
      block_for_good();
    });
  }
  SECTION("cond") {
    check_one_handler_per_fiber([](int n) {
      lockstep::Mutex mu;
      lockstep::Cond cv(mu);
      for (int i = 0; i < n; ++i)
        lockstep::go([&] {
          std::lock_guard guard(mu);
          cv.wait();
        });
      block_for_good();
    });
  }
  SECTION("waitgroup") {
    check_one_handler_per_fiber([](int n) {
      lockstep::WaitGroup wg;
      wg.add(1);
      for (int i = 0; i < n; ++i) lockstep::go([&] { wg.wait(); });
      block_for_good();
    });
  }
  SECTION("semaphore") {
    check_one_handler_per_fiber([](int n) {
      lockstep::Semaphore sem(1);
      sem.acquire();
      for (int i = 0; i < n; ++i) lockstep::go([&] { sem.acquire(); });
      block_for_good();
    });
  }
  SECTION("once") {
    check_one_handler_per_fiber([](int n) {
      lockstep::Once once;
      lockstep::go([&] { once.call(block_for_good); });  // the runner: the same in both runs
      for (int i = 0; i < n; ++i) lockstep::go([&] { once.call([] {}); });
      block_for_good();
    });
  }
  SECTION("sleep") {
    check_one_handler_per_fiber([](int n) {
      for (int i = 0; i < n; ++i) lockstep::go([] { lockstep::sleep(1h); });
      lockstep::sim::wait();
    });
  }
}

TEST_CASE("park leave: a select torn down leaves the queue of every channel it waited on",
          "[teardown][leave][select]") {
  // Proves the leave ran for each case: in a second run, a send on either
  // channel finds no receiver and blocks (a deadlock whose dump shows it);
  // a waiter left behind would be handed the value, on a dead stack. Before,
  // the channels also stayed bound to the ended run, so that send was a
  // misuse ("use of an object left in use by a simulation that has ended").
  auto first = run_sim([] {
    lockstep::go("selector", [] {
      lockstep::select(lockstep::on_recv(g_first, [] {}), lockstep::on_recv(g_second, [] {}));
    });
    lockstep::sim::wait();
  });
  REQUIRE(first.verdict == sim::Verdict::leak);
  REQUIRE(first.fibers.size() == 1);
  CHECK(first.fibers[0].reason == "select");
  for (Chan<int>* ch : {&g_first, &g_second}) {
    auto second = run_sim([ch] { ch->send(1); });
    INFO(sim::to_string(second));
    CHECK(second.verdict == sim::Verdict::deadlock);
    REQUIRE(second.fibers.size() == 1);
    CHECK(second.fibers[0].reason == "chan send");
    CHECK_THAT(second.fibers[0].object, Catch::EndsWith("cap=0 len=0"));
  }
}

TEST_CASE("park leave: a verdict reached inside park() leaves the queue too", "[teardown][leave][chan]") {
  // Proves the leave runs when park() throws from before the switch: with a
  // livelock budget of 1 step, main's receive on a global channel takes its
  // operation point (step 1), queues, and exhausts the budget in park()
  // (step 2), where the verdict is reached; main unwinds from there at
  // teardown. The queue is left empty: a second run's send finds no
  // receiver and blocks.
  sim::Options options;
  options.livelock_steps = 1;
  auto first = run_sim([] { (void)g_stalled.recv(); }, options);
  INFO(sim::to_string(first));
  REQUIRE(first.verdict == sim::Verdict::livelock);
  CHECK(first.steps == 2);
  auto second = run_sim([] { g_stalled.send(1); });
  INFO(sim::to_string(second));
  CHECK(second.verdict == sim::Verdict::deadlock);
  REQUIRE(second.fibers.size() == 1);
  CHECK(second.fibers[0].reason == "chan send");
}
