// ThreadTask and TaskRegistry: the tasks of real-thread mode, and the list
// that goroutine accounting and dumps read.
//
// A ThreadTask is a real thread's identity under the seam. A goroutine
// thread (started by go()) owns one for life and reuses it for every
// goroutine it runs, with a new id each time; any other thread that blocks in
// a lockstep primitive (main, a std::thread) gets one at its first use, of
// kind "thread", which lives as long as the thread.
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
  // add() assigns `t` the next id and lists it; a goroutine is counted.
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
  std::uint64_t next_id_ = 1;
  std::atomic<std::size_t> goroutines_{0};
};

}  // namespace lockstep::threads::detail
