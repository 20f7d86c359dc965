// blocked_goroutines: what a goroutine blocked on a channel receive costs in
// real mode, in memory and in time; the twin of bench/go's -blocked figure.
//
//   blocked_goroutines COUNT [lockstep|std_thread]       default: lockstep
//
// lockstep: main starts COUNT goroutines; each says it started (a WaitGroup)
// and then blocks receiving from one shared unbuffered channel. Once all
// have started, VmRSS is read again; then main closes the channel, which
// releases them all, and joins them (a second WaitGroup).
// std_thread: the same with std::threads, a std::mutex + condvar standing in
// for the channel.
//
// Prints one JSON line on stdout (bench/compare.py reads it) and a summary on
// stderr:
//   rss_kib_per_goroutine     (VmRSS once all started - VmRSS before) / COUNT
//   spawn_ns_per_goroutine    from the first spawn until all have started
//   release_ns_per_goroutine  from the close until all have been joined
//
// A count the runtime cannot hold is skipped, not crashed on: if
// LOCKSTEP_BENCH_MAX_GOROUTINES is set and COUNT exceeds it, the line says
// "skipped" and nothing is spawned (the thread runtime needs an OS thread per
// goroutine: about 32k fit under Linux's default 65,530 mappings per
// process). If spawning fails midway, the goroutines already started are
// released and joined and the line says how far it got. Exit status 0 either
// way; 2 on bad arguments.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lockstep.hpp"

namespace {

using Steady = std::chrono::steady_clock;

long vm_rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;)
    if (key == "VmRSS:") {
      long kib = 0;
      status >> kib;
      return kib;
    }
  return 0;
}

// One blocked population: start() spawns `count` blocked tasks and returns
// how many started (fewer if spawning failed, with `error` set); release()
// unblocks and joins them all.
struct Population {
  std::function<std::size_t(std::size_t count, std::string& error)> start;
  std::function<void()> release;
};

struct LockstepPopulation {
  lockstep::Chan<int> gate{0};
  lockstep::WaitGroup started, finished;

  std::size_t start(std::size_t count, std::string& error) {
    std::size_t spawned = 0;
    try {
      for (; spawned < count; ++spawned) {
        started.add(1);
        try {
          finished.go([this] {
            started.done();
            gate.recv();
          });
        } catch (...) {
          started.done();
          throw;
        }
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    started.wait();
    return spawned;
  }
  void release() {
    gate.close();
    finished.wait();
  }
};

struct StdThreadPopulation {
  std::mutex mu;
  // Two condvars: a thread that starts wakes main only, not every thread
  // already blocked (one condvar made the spawn quadratic).
  std::condition_variable started_changed, opened;
  std::size_t started = 0;  // Guarded by mu.
  bool open = false;        // Guarded by mu.
  std::vector<std::thread> threads;

  std::size_t start(std::size_t count, std::string& error) {
    threads.reserve(count);
    try {
      while (threads.size() < count)
        threads.emplace_back([this] {
          std::unique_lock lock(mu);
          ++started;
          started_changed.notify_one();
          opened.wait(lock, [this] { return open; });
        });
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::unique_lock lock(mu);
    started_changed.wait(lock, [this] { return started == threads.size(); });
    return threads.size();
  }
  void release() {
    {
      std::lock_guard lock(mu);
      open = true;
      opened.notify_all();
    }
    for (auto& t : threads) t.join();
  }
};

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

int usage() {
  std::fprintf(stderr, "usage: blocked_goroutines COUNT [lockstep|std_thread]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) return usage();
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(argv[1], &end, 10);
  if (*end != '\0' || parsed == 0) return usage();
  const auto count = static_cast<std::size_t>(parsed);
  const std::string impl = argc > 2 ? argv[2] : "lockstep";
  if (impl != "lockstep" && impl != "std_thread") return usage();
  const std::string head =
      "{\"name\":\"blocked_" + std::to_string(count) + "\",\"impl\":\"" + impl + "\"";

  if (const char* max = std::getenv("LOCKSTEP_BENCH_MAX_GOROUTINES");
      max && *max && count > std::strtoull(max, nullptr, 10)) {
    std::printf("%s,\"skipped\":\"%zu > LOCKSTEP_BENCH_MAX_GOROUTINES=%s\"}\n", head.c_str(), count,
                json_escape(max).c_str());
    std::fprintf(stderr, "blocked_goroutines: %zu %s skipped (LOCKSTEP_BENCH_MAX_GOROUTINES=%s)\n", count,
                 impl.c_str(), max);
    return 0;
  }

  LockstepPopulation goroutines;
  StdThreadPopulation threads;
  Population population;
  if (impl == "lockstep") {
    // Start the runtime (its timer thread, the first goroutine thread) before
    // the baseline, as Go's is before main runs.
    lockstep::WaitGroup warm;
    warm.go([] {});
    warm.wait();
    population = {[&](std::size_t n, std::string& e) { return goroutines.start(n, e); },
                  [&] { goroutines.release(); }};
  } else {
    population = {[&](std::size_t n, std::string& e) { return threads.start(n, e); },
                  [&] { threads.release(); }};
  }

  const long rss_before = vm_rss_kib();
  std::string error;
  const auto t0 = Steady::now();
  const std::size_t started = population.start(count, error);
  const auto t1 = Steady::now();
  const long rss_blocked = vm_rss_kib();
  const std::size_t live = lockstep::num_goroutines();
  const auto t2 = Steady::now();
  population.release();
  const auto t3 = Steady::now();

  using Ns = std::chrono::duration<double, std::nano>;
  if (started < count) {
    std::printf("%s,\"skipped\":\"spawning failed after %zu: %s\"}\n", head.c_str(), started,
                json_escape(error).c_str());
    std::fprintf(stderr, "blocked_goroutines: %zu %s: spawning failed after %zu (%s); released and joined\n",
                 count, impl.c_str(), started, error.c_str());
    return 0;
  }
  const auto n = static_cast<double>(count);
  const double rss_per = static_cast<double>(rss_blocked - rss_before) / n;
  const double spawn_ns = Ns(t1 - t0).count() / n;
  const double release_ns = Ns(t3 - t2).count() / n;
  std::printf("%s,\"goroutines\":%zu,\"rss_kib_before\":%ld,\"rss_kib_blocked\":%ld,"
              "\"rss_kib_per_goroutine\":%.3f,\"spawn_ns_per_goroutine\":%.1f,"
              "\"release_ns_per_goroutine\":%.1f}\n",
              head.c_str(), count, rss_before, rss_blocked, rss_per, spawn_ns, release_ns);
  std::fprintf(stderr,
               "blocked_goroutines: %zu %s (num_goroutines %zu): VmRSS %ld -> %ld KiB, %.2f KiB each; "
               "spawn %.1f ms (%.0f ns each); release+join %.1f ms (%.0f ns each)\n",
               count, impl.c_str(), live, rss_before, rss_blocked, rss_per, Ns(t1 - t0).count() / 1e6,
               spawn_ns, Ns(t3 - t2).count() / 1e6, release_ns);
  return 0;
}
