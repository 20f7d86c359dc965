// ThreadTask and TaskRegistry: real threads as tasks, and the list that
// goroutine accounting and dumps read.
//
// A ThreadTask is a real thread's identity under the seam. Under the
// thread-per-goroutine runtime, a goroutine thread (started by go()) owns one
// for life and reuses it for every goroutine it runs, with a new id each
// time. Under either real runtime, any other thread that blocks in a lockstep
// primitive (main, a std::thread, a foreign library's thread) gets one at its
// first use (this_thread_task()), of kind "thread", which lives as long as the
// thread and parks on its own futex (park_thread()).
//
// The registry lists live goroutines and the other threads that have a task,
// in id order, for dumps (which show such a thread only while it is
// blocked); it counts the goroutines and wakes leak checks when one ends. Every ThreadTask field shown in a dump is guarded by
// the task's `mutex`; a task records its wait (with the object's description
// taken while the primitive's lock is held, so the dump never reads a
// primitive another thread is changing) before it sleeps.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/seam.hpp"
#include "runtime/task_dump.hpp"
#include "threads/parker.hpp"

namespace lockstep::threads::detail {

// Task::kind of a thread that go() did not start, and of a goroutine. Each
// has one address in the program, so a runtime tells its own task types
// apart by comparing `kind` pointers.
inline constexpr char kThreadKind[] = "thread";
inline constexpr char kGoroutineKind[] = "goroutine";

class ThreadTask : public lockstep::detail::Task {
 public:
  Parker parker;

  // Guarded by `mutex` (id, name and spawned_at too, while registered).
  std::mutex mutex;
  TaskState state = TaskState::running;
  const char* reason = "";
  std::string object;
  SourceLocation site;  // where it blocked last, or its spawn site
  TimePoint since;
  bool goroutine = false;  // started by go(); else a thread's task ("thread")

  // Registry links, guarded by the registry's mutex.
  ThreadTask* prev = nullptr;
  ThreadTask* next = nullptr;
};

class TaskRegistry {
 public:
  // add() assigns `t` the next id (next_task_id()) and lists it; a goroutine
  // is counted.
  void add(ThreadTask& t);
  // remove() unlists `t`; a goroutine's end wakes wait_for_count().
  void remove(ThreadTask& t);

  std::size_t goroutines() const noexcept { return goroutines_.load(std::memory_order_acquire); }
  // wait_for_count() waits until at most `n` goroutines live, or `deadline`
  // (steady clock) passes; returns whether the count got there.
  bool wait_for_count(std::size_t n, std::chrono::steady_clock::time_point deadline);
  // snapshot() describes every goroutine and every blocked thread, by id.
  std::vector<TaskSnapshot> snapshot();

 private:
  std::mutex mutex_;
  std::condition_variable ended_;
  ThreadTask* head_ = nullptr;  // listed tasks in id order
  ThreadTask* tail_ = nullptr;
  std::atomic<std::size_t> goroutines_{0};
};

// next_task_id() is the next id of a real task, goroutine or thread: one
// sequence for the process, whichever runtime runs.
std::uint64_t next_task_id() noexcept;

// thread_registry() lists the real threads that are tasks: every thread that
// blocked in a primitive, and (thread runtime) the goroutine threads.
TaskRegistry& thread_registry() noexcept;

// this_thread_task() is the calling thread's task: the goroutine it runs
// (thread runtime, set_this_thread_task()), or its own, made and listed at
// first use.
ThreadTask& this_thread_task() noexcept;
void set_this_thread_task(ThreadTask* task) noexcept;

// park_thread() is park() for a thread's task: it records the wait (the
// object described now, while the caller holds the primitive's lock, so a
// dump never reads a primitive another thread is changing), releases
// `unlock` and sleeps until unpark_thread().
void park_thread(ThreadTask& me, const lockstep::detail::WaitSite& site, lockstep::detail::Unlock unlock);
inline void unpark_thread(ThreadTask& t) noexcept { t.parker.unpark(); }

// choose_at_random() is choose() for both real runtimes: a thread-local
// xorshift64* generator, seeded per thread (real mode explores nothing).
std::size_t choose_at_random(std::size_t n, SourceLocation where);

// run_goroutine_body() runs a goroutine's body; an exception escaping it
// prints the exception with the goroutine's name and spawn site, and the
// goroutine dump, to stderr, then aborts the process (Go's unrecovered
// panic). Either real runtime.
void run_goroutine_body(const lockstep::detail::Task& t, lockstep::detail::Body& body) noexcept;

}  // namespace lockstep::threads::detail
