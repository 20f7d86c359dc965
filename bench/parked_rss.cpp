// parked_rss: what a parked fiber costs in memory, and what spawning,
// parking and tearing a million of them down costs in time, beside its
// Boost.Fiber twin (here) and its Go twin (bench/go, `-parked`).
//
//   parked_rss [fibers [stack_kib [lockstep|boost_fiber]]]
//                                  defaults: 1,000,000 fibers, 64 KiB, lockstep
//
// lockstep: main spawns the fibers, each of which sleeps for an hour;
// sim::wait() returns once all are parked. VmRSS/VmHWM and the process's
// mapping count are read before spawning and once everything is parked; the
// RSS difference divided by the fiber count is the cost of one parked fiber
// (its touched stack pages plus its share of the scheduler's tables). Main
// then returns with the fibers still asleep, so the run ends with the leak
// verdict and unwinds every fiber: the time from main's return to sim::run's
// return is the teardown.
//
// boost_fiber: the same on Boost.Fiber's default scheduler (one thread), with
// fixedsize_stack stacks of the same size: each fiber waits on a condition
// variable with a one-hour timeout (a timer each, as the sleep is); main
// yields until all are parked. Boost.Fiber cannot end a fiber from outside, so
// its teardown is the nearest thing: a notify_all that wakes every fiber,
// then a join of each.
//
// The Go twin (`lockstep-go-bench -parked N -procs 1`) does the same with a
// timer and a stop channel per goroutine. Run the three in one sitting and
// read ratios. Each phase is printed as wall time and as the process's CPU
// time (user + system), which a loaded machine disturbs less. Cross-check the peak with `/usr/bin/time -v parked_rss`.
// Targets: <= 4.5 KiB per parked fiber, spawn+park+teardown <= 0.5x Go's,
// and 1M fibers within the kernel's 65,530-mapping limit.
#include <boost/fiber/all.hpp>
#include <sys/resource.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "lockstep.hpp"

namespace {

namespace sim = lockstep::sim;
using Steady = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

// A point in time, wall and CPU (the process's user + system time).
struct Stamp {
  Steady::time_point wall;
  double cpu_ms = 0;
  static Stamp now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
    return Stamp{Steady::now(), ms(u.ru_utime) + ms(u.ru_stime)};
  }
};

struct Span {
  double wall_ms = 0, cpu_ms = 0;
  static Span between(const Stamp& a, const Stamp& b) { return Span{Ms(b.wall - a.wall).count(), b.cpu_ms - a.cpu_ms}; }
  Span operator+(const Span& o) const { return Span{wall_ms + o.wall_ms, cpu_ms + o.cpu_ms}; }
};

struct Memory {
  long rss_kib = 0;  // VmRSS
  long hwm_kib = 0;  // VmHWM, the peak
  long mappings = 0;
};

long count_mappings() {
  std::ifstream maps("/proc/self/maps");
  long lines = 0;
  for (std::string line; std::getline(maps, line);) ++lines;
  return lines;
}

Memory read_memory() {
  Memory m;
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;) {
    if (key == "VmRSS:") status >> m.rss_kib;
    if (key == "VmHWM:") status >> m.hwm_kib;
  }
  m.mappings = count_mappings();
  return m;
}

void print_memory(const char* when, const Memory& m) {
  std::printf("%-8s VmRSS %9ld KiB  VmHWM %9ld KiB  mappings %6ld\n", when, m.rss_kib, m.hwm_kib,
              m.mappings);
}

// What one run measured, for either implementation.
struct Figures {
  std::size_t parked = 0;
  Memory before, parked_memory;
  Span spawn_and_park, teardown;
};

void print_span(const char* what, const Span& span, std::size_t fibers) {
  auto n = static_cast<double>(fibers);
  std::printf("%-10s %.1f ms wall (%.0f ns per fiber), %.1f ms cpu (%.0f ns per fiber)\n", what, span.wall_ms,
              span.wall_ms * 1e6 / n, span.cpu_ms, span.cpu_ms * 1e6 / n);
}

void print_figures(const char* impl, std::size_t fibers, std::size_t stack_kib, const Figures& f) {
  std::printf("impl     %s\n", impl);
  std::printf("stack    %zu KiB reserved per fiber\n", stack_kib);
  std::printf("parked   %zu fibers\n", f.parked);
  print_memory("before", f.before);
  print_memory("parked", f.parked_memory);
  std::printf("per fiber %.2f KiB RSS\n",
              static_cast<double>(f.parked_memory.rss_kib - f.before.rss_kib) / static_cast<double>(fibers));
  print_span("spawn+park", f.spawn_and_park, fibers);
  print_span("teardown", f.teardown, fibers);
  print_span("total", f.spawn_and_park + f.teardown, fibers);
}

bool run_lockstep(std::size_t fibers, std::size_t stack_kib, Figures& f) {
  sim::Options options;
  options.stack_size = stack_kib * 1024;
  Stamp spawn_start, main_returned;
  sim::Report report = sim::run(
      [&] {
        f.before = read_memory();
        spawn_start = Stamp::now();
        for (std::size_t i = 0; i < fibers; ++i)
          lockstep::go([&f] {
            ++f.parked;
            lockstep::sleep(std::chrono::hours(1));
          });
        lockstep::sim::wait();
        f.parked_memory = read_memory();
        main_returned = Stamp::now();
      },
      options);
  f.teardown = Span::between(main_returned, Stamp::now());
  f.spawn_and_park = Span::between(spawn_start, main_returned);
  std::printf("verdict  %s (peak live %llu, main included; %zu fibers in the dump)\n", report.message.c_str(),
              static_cast<unsigned long long>(report.peak_fibers), report.fibers.size());
  return report.verdict == sim::Verdict::leak;
}

void run_boost_fiber(std::size_t fibers, std::size_t stack_kib, Figures& f) {
  boost::fibers::fixedsize_stack stacks(stack_kib * 1024);
  boost::fibers::mutex mutex;
  boost::fibers::condition_variable wake;
  bool stop = false;
  std::vector<boost::fibers::fiber> all;
  all.reserve(fibers);
  f.before = read_memory();
  Stamp spawn_start = Stamp::now();
  for (std::size_t i = 0; i < fibers; ++i)
    all.emplace_back(std::allocator_arg, stacks, [&] {
      std::unique_lock lock(mutex);
      ++f.parked;
      wake.wait_for(lock, std::chrono::hours(1), [&stop] { return stop; });
    });
  while (f.parked < fibers) boost::this_fiber::yield();
  f.parked_memory = read_memory();
  Stamp parked = Stamp::now();
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  wake.notify_all();
  for (auto& fiber : all) fiber.join();
  f.teardown = Span::between(parked, Stamp::now());
  f.spawn_and_park = Span::between(spawn_start, parked);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t fibers = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
  const std::size_t stack_kib = argc > 2 ? std::stoul(argv[2]) : 64;
  const char* impl = argc > 3 ? argv[3] : "lockstep";
  bool boost_fiber = std::strcmp(impl, "boost_fiber") == 0;
  if (!boost_fiber && std::strcmp(impl, "lockstep") != 0) {
    std::fprintf(stderr, "usage: parked_rss [fibers [stack_kib [lockstep|boost_fiber]]]\n");
    return 2;
  }
  Figures f;
  bool ok = true;  // Boost.Fiber has no verdict: it ends once every fiber joined
  if (boost_fiber)
    run_boost_fiber(fibers, stack_kib, f);
  else
    ok = run_lockstep(fibers, stack_kib, f);
  print_figures(impl, fibers, stack_kib, f);
  print_memory("after", read_memory());
  return ok ? 0 : 1;
}
