#include "threads/thread_runtime.hpp"

#include <fmt/format.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "runtime/misuse.hpp"

namespace lockstep::threads::detail {

// A goroutine thread: its task (reused, with a new id, by every goroutine it
// runs) and the body it runs next. Workers are never freed: a late unpark()
// of a finished goroutine may still touch the task's parker.
struct ThreadRuntime::Worker {
  ThreadTask task;
  Body body;
  Worker* next = nullptr;  // in idle_ or spare_; guarded by workers_mutex_
};

ThreadRuntime::ThreadRuntime() : started_(lockstep::detail::real_now()) {}

ThreadRuntime& ThreadRuntime::instance() noexcept {
  static ThreadRuntime* runtime = new ThreadRuntime;  // never destroyed: threads outlive main
  return *runtime;
}

Task& ThreadRuntime::spawn(Body&& body, std::string&& name, SourceLocation site) {
  if (!body) lockstep::detail::fail_misuse("go() of an empty function", nullptr, site);
  Worker* w = nullptr;
  bool idle = false;
  {
    std::lock_guard lock(workers_mutex_);
    if (idle_ != nullptr) {
      w = idle_;
      idle_ = w->next;
      --idle_count_;
      idle = true;
    } else if (spare_ != nullptr) {
      w = spare_;
      spare_ = w->next;
    }
  }
  if (w == nullptr) w = new Worker;
  ThreadTask& t = w->task;
  t.kind = kGoroutineKind;
  t.goroutine = true;
  t.name = std::move(name);
  t.spawned_at = t.site = site;
  t.state = TaskState::running;
  w->body = std::move(body);
  registry_.add(t);
  if (idle) {
    t.parker.unpark();
    return t;
  }
  try {
    std::thread(worker_main, w).detach();
  } catch (...) {  // no thread: the goroutine never existed
    registry_.remove(t);
    w->body = Body{};
    std::lock_guard lock(workers_mutex_);
    w->next = spare_;
    spare_ = w;
    throw;
  }
  return t;
}

void ThreadRuntime::worker_main(Worker* w) {
  set_this_thread_task(&w->task);
  ThreadRuntime& rt = instance();
  for (;;) {
    rt.run_goroutine(*w);
    if (!rt.retire(*w)) return;  // too many idle threads: this one exits
    w->task.parker.park();       // until spawn() hands it a goroutine
  }
}

void ThreadRuntime::run_goroutine(Worker& w) {
  run_goroutine_body(w.task, w.body);
  w.body = Body{};  // the closure's destructors run while the goroutine still counts
  registry_.remove(w.task);
}

bool ThreadRuntime::retire(Worker& w) {
  std::lock_guard lock(workers_mutex_);
  if (idle_count_ < kIdleThreads) {
    w.next = idle_;
    idle_ = &w;
    ++idle_count_;
    return true;
  }
  w.next = spare_;
  spare_ = &w;
  return false;
}

void ThreadRuntime::park(const WaitSite& site, Unlock unlock) { park_thread(this_thread_task(), site, unlock); }

void ThreadRuntime::ready(Task& task) { unpark_thread(static_cast<ThreadTask&>(task)); }

bool ThreadRuntime::wait_for_live(std::size_t n, std::chrono::steady_clock::time_point deadline) {
  return registry_.wait_for_count(n, deadline);
}

void ThreadRuntime::yield(SourceLocation) { std::this_thread::yield(); }

TimePoint ThreadRuntime::now() const noexcept { return lockstep::detail::real_now(); }

std::size_t ThreadRuntime::choose(std::size_t n, SourceLocation where) { return choose_at_random(n, where); }

std::uint64_t ThreadRuntime::new_object_id() noexcept {
  return next_object_id_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace lockstep::threads::detail
