// The M:N runtime's blocking calls (a worker's goroutines handed to another
// thread) and its monitor (a worker stuck in one goroutine, reported).
#include <fmt/format.h>

#include <cstdio>
#include <thread>

#include "mn/mn_runtime.hpp"
#include "mn/this_machine.hpp"
#include "runtime/clock.hpp"

namespace lockstep::mn::detail {

// ---- blocking calls ------------------------------------------------------------

// enter_blocking() gives the calling goroutine's worker (its P) to another
// thread, which runs the worker's other goroutines while this thread blocks.
// The goroutine keeps this thread to itself until exit_blocking(); meanwhile
// it parks on the thread (park_on_thread()) if it waits on a primitive.
void MnRuntime::enter_blocking() {
  Machine* m = machine_here();
  Goroutine* g = m != nullptr ? m->g : nullptr;
  if (g == nullptr) return;  // a thread that is not a worker: it blocks nobody else
  if (g->blocking_depth++ > 0) return;
  g->on_thread.store(true, std::memory_order_release);
  Processor& p = *m->p;
  p.running.store(nullptr, std::memory_order_release);
  m->p = nullptr;
  hand_off(p);
}

// exit_blocking() puts the goroutine back in a run queue; this thread becomes
// a spare, waiting to be handed a worker.
void MnRuntime::exit_blocking() {
  Machine* m = machine_here();
  Goroutine* g = m != nullptr ? m->g : nullptr;
  if (g == nullptr || g->blocking_depth == 0 || --g->blocking_depth > 0) return;
  g->on_thread.store(false, std::memory_order_release);
  switch_away(
      *m, *g, nullptr,
      [](MnRuntime& rt, Goroutine& me, void*) {
        me.state.store(GState::runnable, std::memory_order_relaxed);
        rt.global_.push(&me);
        rt.wake_idle();
      },
      nullptr);
}

void MnRuntime::hand_off(Processor& p) {
  Machine* spare = nullptr;
  {
    std::lock_guard lock(spare_mutex_);
    spare = spares_;
    if (spare != nullptr) spares_ = spare->next_spare;
  }
  if (spare == nullptr) {
    spare = new Machine;  // never freed: lives as long as its thread, the process
    spare->p = &p;
    std::thread([this, spare] { machine_main(spare); }).detach();
    return;
  }
  {
    std::lock_guard lock(spare->mutex);
    spare->given = &p;
  }
  spare->handed.notify_one();
}

void MnRuntime::wait_for_processor(Machine& m) {
  {
    std::lock_guard lock(spare_mutex_);
    m.next_spare = spares_;
    spares_ = &m;
  }
  std::unique_lock lock(m.mutex);
  m.handed.wait(lock, [&] { return m.given != nullptr; });
  m.p = std::exchange(m.given, nullptr);
}

// ---- the monitor ------------------------------------------------------------------

void MnRuntime::monitor_main() {
  for (;;) {
    bool all_idle = idle_mask_.load(std::memory_order_relaxed) == (procs_ == 64 ? ~0ull : (1ull << procs_) - 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(all_idle ? 100 : 10));
    std::int64_t now = lockstep::detail::real_now().time_since_epoch().count();
    for (unsigned i = 0; i < procs_; ++i) check_stuck(ps_[i], now);
  }
}

// check_stuck() watches one P's switch count. A P that has run the same
// goroutine for 10 ms with others waiting lets idle workers take its runnext
// slot; past stall_report_ns_ the goroutine is reported, once per stall.
void MnRuntime::check_stuck(Processor& p, std::int64_t now) {
  std::uint64_t switches = p.switches.load(std::memory_order_relaxed);
  Goroutine* g = p.running.load(std::memory_order_acquire);
  if (g == nullptr || switches != p.seen_switches) {
    p.seen_switches = switches;
    p.quiet_since = now;
    p.reported = false;
    p.stuck.store(false, std::memory_order_relaxed);
    return;
  }
  std::int64_t quiet = now - p.quiet_since;
  if (quiet >= 10'000'000 &&
      (p.runnext.load(std::memory_order_relaxed) != nullptr || !p.queue.empty())) {
    p.stuck.store(true, std::memory_order_relaxed);
    wake_idle();
  }
  if (stall_report_ns_ > 0 && quiet >= stall_report_ns_ && !p.reported) {
    p.reported = true;
    report_stall(p, *g, quiet);
  }
}

void MnRuntime::report_stall(Processor& p, Goroutine& g, std::int64_t quiet_ns) {
  std::string line;
  {
    std::lock_guard guard(g.guard);
    // Still the same stall? The goroutine may have moved on, and its record
    // been reused, since check_stuck() looked.
    if (p.running.load(std::memory_order_acquire) != &g ||
        p.switches.load(std::memory_order_relaxed) != p.seen_switches)
      return;
    line = fmt::format(
        "lockstep: goroutine {}{} (spawned at {}:{}) has held worker {} of {} for {} without a "
        "scheduling point; the worker's other goroutines wait. A call that blocks its thread belongs "
        "in lockstep::blocking() (docs/real-mode.md, \"Blocking calls\")",
        g.id, g.name.empty() ? "" : fmt::format(" \"{}\"", g.name), g.spawned_at.file_name(),
        g.spawned_at.line(), p.index, procs_,
        format_duration(std::chrono::milliseconds(quiet_ns / 1'000'000)));
  }
  if (stall_reporter != nullptr) {
    stall_reporter(line);
    return;
  }
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

}  // namespace lockstep::mn::detail
