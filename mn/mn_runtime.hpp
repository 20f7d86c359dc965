// MnRuntime: the production runtime behind the seam, goroutines as fibers
// multiplexed on N worker threads (Go's M:N design). The default outside a
// simulation; LOCKSTEP_RUNTIME=threads picks the thread-per-goroutine runtime
// instead (mn/real_runtime.cpp).
//
//   spawn      a pooled fiber stack and a recycled record; the goroutine
//              joins the spawning worker's local queue (or the global queue,
//              from a thread that is not a worker) and an idle worker wakes
//   park       switches straight to the next runnable goroutine of the same
//              worker (or to the worker's own loop); the primitive's unlock
//              runs once the goroutine's context is saved (see goroutine.hpp)
//   ready      a parked goroutine goes to the readier's runnext slot, so a
//              ping-pong stays on one worker; from a thread that is not a
//              worker, to the global queue
//   yield      to the back of the worker's local queue
//   timers     one heap (timers.hpp), fired by the workers as they schedule
//   idle       a worker with nothing to run steals half of another's local
//              queue, fires due timers, then sleeps on a futex until work
//              appears or the earliest timer is due. No spinning: on small
//              machines it loses (threads/parker.hpp has the figures).
//   blocking   enter_blocking()/exit_blocking() hand the worker's queue to
//              another thread for the duration of a blocking call
//   monitor    a thread that reports a worker stuck in one goroutine for
//              longer than LOCKSTEP_STALL_REPORT_MS (a blocking call outside
//              lockstep::blocking(), or a long computation), and lets idle
//              workers steal from it
//
// A thread that is not a goroutine (main, a test's thread, a foreign
// library's) uses every primitive as under the thread runtime: it parks on
// its own futex (threads/thread_task.hpp). Goroutine ids and thread ids share
// one sequence.
//
// Workers start at the first go() or timer. They are never stopped: the
// runtime lives as long as the process.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mn/worker.hpp"
#include "runtime/seam.hpp"
#include "runtime/stack_pool.hpp"

namespace lockstep::mn::detail {

class MnRuntime final : public lockstep::detail::Runtime {
 public:
  // The most workers a process may ask for (an idle set is one 64-bit mask).
  static constexpr unsigned kProcsMax = 64;

  // MnRuntime() makes the runtime for `procs` workers (started lazily).
  explicit MnRuntime(unsigned procs);

  Task& spawn(Body&& body, std::string&& name, SourceLocation site) override;
  Task& current() noexcept override;
  void park(const WaitSite& site, Unlock unlock) override;
  void ready(Task& task) override;
  void yield(SourceLocation where) override;
  void preemption_point(SourceLocation) override {}
  TimePoint now() const noexcept override;
  void add_timer(TimerNode& node) override;
  bool cancel_timer(TimerNode& node) noexcept override { return timers_.cancel(node); }
  std::size_t choose(std::size_t n, SourceLocation where) override;
  std::uint64_t new_object_id() noexcept override;
  std::size_t live_tasks() const noexcept override;
  std::string dump() override;
  bool wait_for_live(std::size_t n, std::chrono::steady_clock::time_point deadline) override;
  void enter_blocking() override;
  void exit_blocking() override;

  unsigned procs() const noexcept { return procs_; }
  // stall_reporter receives the monitor's report of a stuck worker, one line;
  // by default it writes it to stderr. A test may replace it (before the
  // first go()).
  static inline void (*stall_reporter)(const std::string& line) = nullptr;

 private:
  friend struct GoroutineEntry;

  // ---- scheduling (scheduler.cpp) ----
  void start();
  void machine_main(Machine* m);
  void run(Machine& m, Goroutine& g);
  Goroutine* find_runnable(Processor& p);
  Goroutine* next_local(Processor& p);
  Goroutine* steal(Processor& p);
  void idle(Processor& p);
  bool work_visible(Processor& p) const noexcept;
  void make_runnable(Goroutine& g, bool next);
  void wake_idle() noexcept;
  void fire_due_timers();
  using Then = void (*)(MnRuntime&, Goroutine&, void*);
  void switch_away(Machine& m, Goroutine& me, Goroutine* next, Then then, void* arg);
  static void after_park(MnRuntime& rt, Goroutine& me, void* arg);
  static void after_yield(MnRuntime& rt, Goroutine& me, void* arg);
  void arrived(Goroutine& me) noexcept;
  boost::context::fiber finish(Goroutine& g);

  // ---- records and stacks (mn_runtime.cpp) ----
  // Records and stacks move between a P's cache and the shared lists in
  // batches, so a worker that spawns and a worker that ends goroutines take
  // the shared lock once per batch, not once per goroutine.
  static constexpr std::uint32_t kCacheBatch = 32;
  Goroutine& new_record(Processor* p);
  void free_record(Processor& p, Goroutine& g) noexcept;
  lockstep::detail::Stack acquire_stack(Processor* p);

 public:  // PooledStackAllocator's, from Boost.Context's deallocation
  void release_stack(const lockstep::detail::Stack& s) noexcept;

 private:
  void park_on_thread(Goroutine& me, const WaitSite& site, Unlock unlock);
  void goroutine_ended() noexcept;

  // ---- blocking calls and the monitor (monitor.cpp) ----
  void hand_off(Processor& p);
  void wait_for_processor(Machine& m);
  [[noreturn]] void monitor_main();
  void check_stuck(Processor& p, std::int64_t now);
  void report_stall(Processor& p, Goroutine& g, std::int64_t quiet_ns);

  const unsigned procs_;
  std::once_flag started_;
  std::unique_ptr<Processor[]> ps_;  // set once in start(), before `running_`
  std::atomic<bool> running_{false};   // ps_ may be read without start()
  GlobalQueue global_;
  std::atomic<std::uint64_t> idle_mask_{0};  // bit i: P i's M sleeps
  Timers timers_;
  std::atomic<std::uint64_t> next_object_id_{1};
  const TimePoint started_at_;
  const std::size_t stack_size_;
  const std::int64_t stall_report_ns_;  // 0: never report
  const std::int64_t spin_ns_;          // an idle worker's spin before it sleeps

  // Every goroutine record ever made, for dumps; free records for spawns on
  // no P. Guarded by records_mutex_.
  SpinLock records_mutex_;
  std::vector<Goroutine*> records_;
  Goroutine* free_records_ = nullptr;

  // Stacks beyond the Ps' caches, and the pool that makes new ones. Guarded
  // by stacks_mutex_.
  SpinLock stacks_mutex_;
  std::vector<lockstep::detail::Stack> free_stacks_;
  lockstep::detail::StackPool stacks_;

  std::atomic<std::int64_t> live_elsewhere_{0};  // spawned on no P
  std::atomic<int> live_watchers_{0};
  std::mutex live_mutex_;
  std::condition_variable live_changed_;

  std::mutex spare_mutex_;
  Machine* spares_ = nullptr;  // guarded by spare_mutex_
};

}  // namespace lockstep::mn::detail
