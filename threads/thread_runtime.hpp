// ThreadRuntime: the runtime seam on OS threads and the real clock
// (real-thread mode). Code outside any simulation runs on it, with no change
// at the call site (seam.hpp's current_runtime()).
//
//   spawn      runs the goroutine on a cached idle goroutine thread, or on a
//              new thread: never capped, so a blocked goroutine cannot starve
//              a runnable one. At most kIdleThreads idle threads are kept.
//   park/ready a per-task Parker (a futex; optional brief spinning)
//   timers     one timer thread on the steady clock (TimerThread)
//   choose     a thread-local xorshift generator: real mode explores nothing
//   yield      std::this_thread::yield(); preemption points are free
//
// A goroutine that lets an exception escape prints it with its name and
// spawn site, and the goroutine dump, to stderr, then aborts the process (Go's
// unrecovered panic): errors are returned through ErrGroup or a channel.
//
// Goroutine accounting (num_goroutines, dumps, leak checks) reads the
// TaskRegistry; see threads/goroutines.hpp for the public API.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>

#include "runtime/seam.hpp"
#include "threads/thread_task.hpp"
#include "threads/timer_thread.hpp"

namespace lockstep::threads::detail {

using lockstep::detail::Body;
using lockstep::detail::Task;
using lockstep::detail::TimerNode;
using lockstep::detail::Unlock;
using lockstep::detail::WaitSite;

class ThreadRuntime final : public lockstep::detail::Runtime {
 public:
  static constexpr std::size_t kIdleThreads = 64;

  static ThreadRuntime& instance() noexcept;

  Task& spawn(Body&& body, std::string&& name, SourceLocation site) override;
  Task& current() noexcept override { return this_thread_task(); }
  void park(const WaitSite& site, Unlock unlock) override;
  void ready(Task& task) override;
  void yield(SourceLocation where) override;
  void preemption_point(SourceLocation) override {}
  TimePoint now() const noexcept override;
  void add_timer(TimerNode& node) override { timers_.add(node); }
  bool cancel_timer(TimerNode& node) noexcept override { return timers_.cancel(node); }
  std::size_t choose(std::size_t n, SourceLocation where) override;
  std::uint64_t new_object_id() noexcept override;
  std::size_t live_tasks() const noexcept override { return registry_.goroutines(); }
  std::string dump() override { return format_dump(registry_.snapshot(), started_, now(), "goroutine"); }
  bool wait_for_live(std::size_t n, std::chrono::steady_clock::time_point deadline) override;

  // started() is when the runtime was created: the origin of dump times.
  TimePoint started() const noexcept { return started_; }

 private:
  struct Worker;
  ThreadRuntime();
  static void worker_main(Worker* w);
  void run_goroutine(Worker& w);
  // retire() files an idle worker; false if the thread should exit instead.
  bool retire(Worker& w);

  TaskRegistry& registry_ = thread_registry();
  TimerThread timers_;
  const TimePoint started_;
  std::atomic<std::uint64_t> next_object_id_{1};

  std::mutex workers_mutex_;
  Worker* idle_ = nullptr;     // idle threads, parked, waiting for a goroutine
  std::size_t idle_count_ = 0;
  Worker* spare_ = nullptr;    // workers whose threads exited, to reuse
};

}  // namespace lockstep::threads::detail
