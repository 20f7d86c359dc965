// parked_rss: what a parked fiber costs in memory, and what tearing a million
// of them down costs in time.
//
//   parked_rss [fibers [stack_kib]]      defaults: 1,000,000 fibers, 64 KiB
//
// Main spawns the fibers, each of which sleeps for an hour; sim::wait()
// returns once all are parked. VmRSS/VmHWM and the process's mapping count
// are read before spawning and once everything is parked; the RSS difference
// divided by the fiber count is the cost of one parked fiber (its touched
// stack pages plus its share of the scheduler's tables). Main then returns
// with the fibers still asleep, so the run ends with the leak verdict and
// unwinds every fiber: the time from main's return to sim::run's return is
// the teardown. Cross-check the peak with `/usr/bin/time -v parked_rss`.
// Target: <= 4.5 KiB per parked fiber, and 1M fibers within the kernel's
// 65,530-mapping limit.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <string>

#include "lockstep.hpp"

namespace {

namespace sim = lockstep::sim;
using Steady = std::chrono::steady_clock;

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

}  // namespace

int main(int argc, char** argv) {
  const std::size_t fibers = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
  sim::Options options;
  if (argc > 2) options.stack_size = std::stoul(argv[2]) * 1024;

  Memory before, parked_memory;
  std::size_t parked = 0;
  Steady::time_point spawn_start, main_returned;
  sim::Report report = sim::run(
      [&] {
        before = read_memory();
        spawn_start = Steady::now();
        for (std::size_t i = 0; i < fibers; ++i)
          lockstep::go([&parked] {
            ++parked;
            lockstep::sleep(std::chrono::hours(1));
          });
        lockstep::sim::wait();
        parked_memory = read_memory();
        main_returned = Steady::now();
      },
      options);
  const auto teardown = Steady::now() - main_returned;
  const auto spawn_and_park = main_returned - spawn_start;

  using Ms = std::chrono::duration<double, std::milli>;
  std::printf("stack    %zu KiB reserved per fiber\n", options.stack_size / 1024);
  std::printf("parked   %zu fibers (peak live %llu, main included)\n", parked,
              static_cast<unsigned long long>(report.peak_fibers));
  print_memory("before", before);
  print_memory("parked", parked_memory);
  std::printf("per fiber %.2f KiB RSS\n",
              static_cast<double>(parked_memory.rss_kib - before.rss_kib) / static_cast<double>(fibers));
  std::printf("spawn+park %.1f ms (%.0f ns per fiber)\n", Ms(spawn_and_park).count(),
              Ms(spawn_and_park).count() * 1e6 / static_cast<double>(fibers));
  std::printf("verdict  %s\n", report.message.c_str());
  std::printf("teardown %.1f ms (%.0f ns per fiber), %zu fibers in the dump\n", Ms(teardown).count(),
              Ms(teardown).count() * 1e6 / static_cast<double>(fibers), report.fibers.size());
  print_memory("after", read_memory());
  return report.verdict == sim::Verdict::leak ? 0 : 1;
}
