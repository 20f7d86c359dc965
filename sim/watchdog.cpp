#include "sim/watchdog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <vector>

#include "runtime/misuse.hpp"
#include "sim/simulation.hpp"

namespace lockstep::sim::detail {
namespace {

using Steady = std::chrono::steady_clock;

struct Watched {
  Simulation* sim;
  std::uint64_t last_beat;
  Steady::time_point last_change;
};

// The watchdog thread and its list; the thread starts at the first
// registration and lives as long as the process (detached, it idles on a
// condition variable when nothing is watched).
class Monitor {
 public:
  static Monitor& instance() {
    static Monitor* m = [] {
      auto* monitor = new Monitor;  // never destroyed: the thread uses it until exit
      // A forked child has no watchdog thread: let it start its own, with the
      // mutex in a known state.
      pthread_atfork([] { instance().mutex_.lock(); }, [] { instance().mutex_.unlock(); },
                     [] {
                       Monitor& self = instance();
                       self.started_ = false;
                       self.watched_.clear();
                       self.mutex_.unlock();
                     });
      return monitor;
    }();
    return *m;
  }

  void add(Simulation* sim) {
    std::lock_guard lock(mutex_);
    watched_.push_back({sim, sim->heartbeat(), Steady::now()});
    if (!started_) {
      started_ = true;
      std::thread([this] { loop(); }).detach();
    }
    wake_.notify_one();
  }

  void remove(Simulation* sim) {
    std::lock_guard lock(mutex_);
    std::erase_if(watched_, [sim](const Watched& w) { return w.sim == sim; });
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (watched_.empty()) {
        wake_.wait(lock);
        continue;
      }
      auto tick = std::chrono::milliseconds(1000);
      for (const Watched& w : watched_)
        tick = std::min(tick, std::max(std::chrono::milliseconds(5), w.sim->watchdog_limit() / 4));
      wake_.wait_for(lock, tick);
      check(Steady::now());
    }
  }

  void check(Steady::time_point now) {
    for (Watched& w : watched_) {
      std::uint64_t beat = w.sim->heartbeat();
      if (beat != w.last_beat) {
        w.last_beat = beat;
        w.last_change = now;
      } else if (now - w.last_change > w.sim->watchdog_limit()) {
        report_and_abort(*w.sim);
      }
    }
  }

  [[noreturn]] static void report_and_abort(const Simulation& sim) {
    const Fiber* f = sim.running();
    std::string who = f == nullptr ? std::string("the simulation's scheduler")
                                   : fmt::format("{} (spawned at {}:{})",
                                                 lockstep::detail::describe_task(*f),
                                                 f->spawned_at.file_name(), f->spawned_at.line());
    std::fprintf(stderr,
                 "lockstep: watchdog: %s has run for more than %lld ms of real time without "
                 "reaching a scheduling point (last one at %s:%u); aborting\n",
                 who.c_str(), static_cast<long long>(sim.watchdog_limit().count()),
                 f == nullptr ? "?" : f->site.file_name(), f == nullptr ? 0u : f->site.line());
    std::fflush(stderr);
    std::abort();
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Watched> watched_;  // guarded by mutex_
  bool started_ = false;          // guarded by mutex_
};

}  // namespace

Watchdog::Registration::Registration(Simulation& sim) : sim_(&sim) {
  if (sim.watchdog_limit().count() > 0) Monitor::instance().add(sim_);
}

Watchdog::Registration::~Registration() {
  if (sim_->watchdog_limit().count() > 0) Monitor::instance().remove(sim_);
}

}  // namespace lockstep::sim::detail
