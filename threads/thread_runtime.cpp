#include "threads/thread_runtime.hpp"

#include <fmt/format.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "runtime/misuse.hpp"

namespace lockstep::detail {

Runtime& thread_runtime() noexcept { return threads::detail::ThreadRuntime::instance(); }

}  // namespace lockstep::detail

namespace lockstep::threads::detail {

// A goroutine thread: its task (reused, with a new id, by every goroutine it
// runs) and the body it runs next. Workers are never freed: a late unpark()
// of a finished goroutine may still touch the task's parker.
struct ThreadRuntime::Worker {
  ThreadTask task;
  Body body;
  Worker* next = nullptr;  // in idle_ or spare_; guarded by workers_mutex_
};

namespace {

constinit thread_local ThreadTask* this_task = nullptr;

// The task of a thread go() did not start (main, a std::thread): listed
// while the thread lives, shown in dumps while it is blocked.
struct ThreadOwnTask {
  ThreadTask task;
  ThreadOwnTask() {
    task.kind = "thread";
    if (syscall(SYS_gettid) == getpid()) task.name = "main";
    ThreadRuntime::instance().registry().add(task);
  }
  ~ThreadOwnTask() {
    ThreadRuntime::instance().registry().remove(task);
    this_task = nullptr;
  }
};

[[noreturn]] void die_of_uncaught(const ThreadTask& t, const std::string& what) {
  std::string text = fmt::format(
      "lockstep: uncaught exception in goroutine {}{} (spawned at {}:{}): {}\n"
      "(a goroutine must not let exceptions escape: return errors through an ErrGroup or a "
      "channel)\n",
      t.id, t.name.empty() ? "" : fmt::format(" \"{}\"", t.name), t.spawned_at.file_name(),
      t.spawned_at.line(), what);
  auto& rt = ThreadRuntime::instance();
  text += format_dump(rt.registry().snapshot(), rt.started(), rt.now(), "goroutine");
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace

ThreadRuntime::ThreadRuntime() : started_(lockstep::detail::real_now()) {}

ThreadRuntime& ThreadRuntime::instance() noexcept {
  static ThreadRuntime* runtime = new ThreadRuntime;  // never destroyed: threads outlive main
  return *runtime;
}

ThreadTask& ThreadRuntime::current_task() noexcept {
  if (this_task != nullptr) [[likely]]
    return *this_task;
  thread_local ThreadOwnTask own;
  this_task = &own.task;
  return own.task;
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
  t.kind = "goroutine";
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
  this_task = &w->task;
  ThreadRuntime& rt = instance();
  for (;;) {
    rt.run_goroutine(*w);
    if (!rt.retire(*w)) return;  // too many idle threads: this one exits
    w->task.parker.park();       // until spawn() hands it a goroutine
  }
}

void ThreadRuntime::run_goroutine(Worker& w) {
  try {
    w.body();
  } catch (const std::exception& e) {
    die_of_uncaught(w.task, e.what());
  } catch (...) {
    die_of_uncaught(w.task, "a non-standard exception");
  }
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

void ThreadRuntime::park(const WaitSite& site, Unlock unlock) {
  ThreadTask& me = current_task();
  // Described now, while the caller holds the primitive's lock: a dump then
  // never reads a primitive that another thread is changing.
  std::string object = site.object != nullptr ? site.object->describe() : std::string{};
  TimePoint since = lockstep::detail::real_now();
  {
    std::lock_guard lock(me.mutex);
    me.state = TaskState::blocked;
    me.reason = site.reason;
    me.object.swap(object);
    me.site = site.where;
    me.since = since;
  }
  unlock();
  me.parker.park();
  std::lock_guard lock(me.mutex);
  me.state = TaskState::running;
}

void ThreadRuntime::ready(Task& task) { static_cast<ThreadTask&>(task).parker.unpark(); }

void ThreadRuntime::yield(SourceLocation) { std::this_thread::yield(); }

TimePoint ThreadRuntime::now() const noexcept { return lockstep::detail::real_now(); }

std::size_t ThreadRuntime::choose(std::size_t n, SourceLocation where) {
  if (n == 0) lockstep::detail::fail_misuse("choose(0): no alternative to choose from", nullptr, where);
  // xorshift64*, seeded per thread from its task's address and the clock.
  thread_local std::uint64_t state =
      (reinterpret_cast<std::uintptr_t>(&current_task()) ^
       static_cast<std::uint64_t>(lockstep::detail::real_now().time_since_epoch().count())) |
      1;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return static_cast<std::size_t>((state * 0x2545F4914F6CDD1DULL) % n);
}

std::uint64_t ThreadRuntime::new_object_id() noexcept {
  return next_object_id_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace lockstep::threads::detail
