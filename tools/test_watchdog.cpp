// The test watchdog: a Catch2 listener, linked into every test binary with
// the Catch main, that limits how long one test case may run. A test case
// still running after LOCKSTEP_TEST_TIMEOUT_MS milliseconds (default 60000;
// 0 turns the watchdog off) prints its name and the goroutine dump to stderr
// and aborts the process:
//
//   lockstep: test case "..." still running after 1m0s (LOCKSTEP_TEST_TIMEOUT_MS=60000); its goroutines, then abort:
//   goroutine dump at +1m0.000052337s (...): 2 goroutines in 2 groups
//   1 goroutine blocked [chan receive] at courier_test.cpp:28, spawned at courier_test.cpp:27
//     goroutine 1 "stuck-courier" on chan<int> #g1 cap=0 len=0 since +156.232us
//   1 thread blocked [chan receive] at courier_test.cpp:31
//     thread 2 "main" on chan<int> #g2 cap=0 len=0 since +122.005us
//
// Why: a lost wake-up on real threads hangs a test forever; ctest's timeout
// (or the test command's `timeout` around a binary) would kill it minutes
// later without a word about who waited on what. The dump is the one thing
// that explains a hang, and only the hung process can print it. A hang in a
// simulation is a verdict (deadlock, livelock) or the simulation's own
// watchdog (sim/watchdog.hpp), so the dump here is about real threads.
//
// The limit is far above any test's run time (the slowest takes ~2.5 s,
// under ASan too) and below ctest's per-test TIMEOUT, so the dump comes
// first. The watchdog reads the real clock on its own thread; it never
// touches Catch2 from that thread.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lockstep.hpp"

namespace lockstep::test {
namespace {

constexpr std::chrono::milliseconds kDefaultLimit{60'000};

std::chrono::milliseconds limit_from_env() {
  const char* env = std::getenv("LOCKSTEP_TEST_TIMEOUT_MS");
  if (env == nullptr || *env == '\0') return kDefaultLimit;
  return std::chrono::milliseconds(std::strtoll(env, nullptr, 10));
}

// Watchdog: one thread that aborts the process when the test case it was
// told about outlives its deadline.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::milliseconds limit) : limit_(limit), thread_([this] { watch(); }) {
    // Returns once the thread waits in its loop. A death test forks as soon
    // as its test case starts (sim/tests/fiber_test.cpp); forking a thread
    // still starting up, which may hold the sanitizer runtime's locks, left
    // 1 in 8 ASan children deadlocked on their first allocation.
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return started_; });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // start() watches the test case `name`, from now; stop() stops watching it.
  void start(std::string name) {
    {
      std::lock_guard lock(mutex_);
      name_ = std::move(name);
      deadline_ = std::chrono::steady_clock::now() + limit_;
      armed_ = true;
    }
    changed_.notify_one();
  }
  void stop() {
    std::lock_guard lock(mutex_);
    armed_ = false;
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    started_ = true;
    changed_.notify_all();
    while (!quit_) {
      if (!armed_) {
        changed_.wait(lock);
      } else if (std::chrono::steady_clock::now() >= deadline_) {
        expire();  // under the lock: the test case cannot end meanwhile
      } else {
        changed_.wait_until(lock, deadline_);
      }
    }
  }

  [[noreturn]] void expire() {
    std::string text = fmt::format(
        "lockstep: test case \"{}\" still running after {} (LOCKSTEP_TEST_TIMEOUT_MS={}); its "
        "goroutines, then abort:\n{}",
        name_, format_duration(limit_), limit_.count(), goroutine_dump());
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
    // Catch2's SIGABRT handler would report from this thread while the test
    // runs on its own, and can hang there; the message above says it all.
    std::signal(SIGABRT, SIG_DFL);
    std::abort();
  }

  const std::chrono::milliseconds limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string name_;                                // guarded by mutex_
  std::chrono::steady_clock::time_point deadline_;  // guarded by mutex_
  bool armed_ = false;                              // guarded by mutex_
  bool quit_ = false;                               // guarded by mutex_
  bool started_ = false;                            // guarded by mutex_
  std::thread thread_;                              // last: starts once the rest exists
};

class WatchdogListener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(const Catch::TestRunInfo&) override {
    if (auto limit = limit_from_env(); limit.count() > 0) watchdog_.emplace(limit);
  }
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    if (watchdog_) watchdog_->start(info.name);
  }
  void testCaseEnded(const Catch::TestCaseStats&) override {
    if (watchdog_) watchdog_->stop();
  }
  void testRunEnded(const Catch::TestRunStats&) override { watchdog_.reset(); }

 private:
  std::optional<Watchdog> watchdog_;
};

}  // namespace

CATCH_REGISTER_LISTENER(WatchdogListener)

}  // namespace lockstep::test
