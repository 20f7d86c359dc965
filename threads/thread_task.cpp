#include "threads/thread_task.hpp"

#include <fmt/format.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "runtime/misuse.hpp"

namespace lockstep::threads::detail {

namespace {

constinit thread_local ThreadTask* this_task = nullptr;

// The task of a thread go() did not start (main, a std::thread): listed
// while the thread lives, shown in dumps while it is blocked.
struct ThreadOwnTask {
  ThreadTask task;
  ThreadOwnTask() {
    task.kind = kThreadKind;
    if (syscall(SYS_gettid) == getpid()) task.name = "main";
    thread_registry().add(task);
  }
  ~ThreadOwnTask() {
    thread_registry().remove(task);
    this_task = nullptr;
  }
};

}  // namespace

std::uint64_t next_task_id() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

TaskRegistry& thread_registry() noexcept {
  static auto* registry = new TaskRegistry;  // never destroyed: threads outlive main
  return *registry;
}

ThreadTask& this_thread_task() noexcept {
  if (this_task != nullptr) [[likely]]
    return *this_task;
  thread_local ThreadOwnTask own;
  this_task = &own.task;
  return own.task;
}

void set_this_thread_task(ThreadTask* task) noexcept { this_task = task; }

void park_thread(ThreadTask& me, const lockstep::detail::WaitSite& site, lockstep::detail::Unlock unlock) {
  std::string object = lockstep::detail::describe_or_leave(site, unlock);
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

namespace {

[[noreturn]] void die_of_uncaught(const lockstep::detail::Task& t, const char* what) noexcept {
  std::string text = fmt::format(
      "lockstep: uncaught exception in goroutine {}{} (spawned at {}:{}): {}\n"
      "(a goroutine must not let exceptions escape: return errors through an ErrGroup or a "
      "channel)\n",
      t.id, t.name.empty() ? "" : fmt::format(" \"{}\"", t.name), t.spawned_at.file_name(),
      t.spawned_at.line(), what);
  text += lockstep::detail::real_runtime().dump();
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace

std::size_t choose_at_random(std::size_t n, SourceLocation where) {
  if (n == 0) lockstep::detail::fail_misuse("choose(0): no alternative to choose from", nullptr, where);
  thread_local std::uint64_t state =
      (reinterpret_cast<std::uintptr_t>(&state) ^
       static_cast<std::uint64_t>(lockstep::detail::real_now().time_since_epoch().count())) |
      1;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return static_cast<std::size_t>((state * 0x2545F4914F6CDD1DULL) % n);
}

void run_goroutine_body(const lockstep::detail::Task& t, lockstep::detail::Body& body) noexcept {
  try {
    body();
  } catch (const std::exception& e) {
    die_of_uncaught(t, e.what());
  } catch (...) {
    die_of_uncaught(t, "a non-standard exception");
  }
}

void TaskRegistry::add(ThreadTask& t) {
  std::lock_guard lock(mutex_);
  t.id = next_task_id();
  t.prev = tail_;
  t.next = nullptr;
  (tail_ != nullptr ? tail_->next : head_) = &t;
  tail_ = &t;
  if (t.goroutine) goroutines_.fetch_add(1, std::memory_order_release);
}

void TaskRegistry::remove(ThreadTask& t) {
  {
    std::lock_guard lock(mutex_);
    (t.prev != nullptr ? t.prev->next : head_) = t.next;
    (t.next != nullptr ? t.next->prev : tail_) = t.prev;
    if (t.goroutine) goroutines_.fetch_sub(1, std::memory_order_release);
  }
  if (t.goroutine) ended_.notify_all();
}

bool TaskRegistry::wait_for_count(std::size_t n, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return ended_.wait_until(lock, deadline, [&] { return goroutines() <= n; });
}

std::vector<TaskSnapshot> TaskRegistry::snapshot() {
  std::vector<TaskSnapshot> out;
  std::lock_guard lock(mutex_);
  for (ThreadTask* t = head_; t != nullptr; t = t->next) {
    std::lock_guard task_lock(t->mutex);
    if (!t->goroutine && t->state != TaskState::blocked) continue;
    bool blocked = t->state == TaskState::blocked;  // else reason and object are stale
    out.push_back(TaskSnapshot{t->id, t->kind, t->name, t->state, blocked ? t->reason : "",
                               blocked ? t->object : std::string{}, t->spawned_at, t->site, t->since});
  }
  return out;
}

}  // namespace lockstep::threads::detail
