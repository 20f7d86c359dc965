// The M:N runtime's seam: spawning, parking and readying goroutines, timers,
// goroutine records and stacks, accounting and dumps.
#include "mn/mn_runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "mn/this_machine.hpp"
#include "runtime/misuse.hpp"
#include "threads/thread_task.hpp"

namespace lockstep::mn::detail {

using lockstep::detail::fail_misuse;
using lockstep::detail::Stack;
using threads::detail::kGoroutineKind;
using threads::detail::kThreadKind;
using threads::detail::ThreadTask;

namespace {

constinit thread_local Machine* this_machine = nullptr;

std::size_t goroutine_stack_size() {
  std::size_t kib = 0;
  if (const char* env = std::getenv("LOCKSTEP_STACK_KIB"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    unsigned long long v = std::strtoull(env, &end, 10);
    if (*end != '\0' || v < 16 || v > 65536) {
      std::fprintf(stderr, "lockstep: LOCKSTEP_STACK_KIB=%s: expected a stack size in KiB from 16 to 65536\n", env);
      std::exit(2);
    }
    kib = static_cast<std::size_t>(v);
  }
#if defined(LOCKSTEP_ASAN)
  return (kib != 0 ? kib : 256) * 1024;  // ASan's frames are larger
#else
  return (kib != 0 ? kib : 64) * 1024;
#endif
}

std::int64_t spin_ns() {
  const char* env = std::getenv("LOCKSTEP_SPIN_US");
  if (env == nullptr || *env == '\0') return 0;
  char* end = nullptr;
  unsigned long long us = std::strtoull(env, &end, 10);
  if (*end != '\0' || us > 1'000'000) {
    std::fprintf(stderr, "lockstep: LOCKSTEP_SPIN_US=%s: expected microseconds from 0 (off) to 1000000\n", env);
    std::exit(2);
  }
  return static_cast<std::int64_t>(us) * 1000;
}

std::int64_t stall_report_ns() {
  const char* env = std::getenv("LOCKSTEP_STALL_REPORT_MS");
  if (env == nullptr || *env == '\0') return 100'000'000;  // 100 ms
  char* end = nullptr;
  unsigned long long ms = std::strtoull(env, &end, 10);
  if (*end != '\0' || ms > 86'400'000) {
    std::fprintf(stderr, "lockstep: LOCKSTEP_STALL_REPORT_MS=%s: expected milliseconds from 0 (off) to 86400000\n",
                 env);
    std::exit(2);
  }
  return static_cast<std::int64_t>(ms) * 1'000'000;
}

}  // namespace

Machine* machine_here() noexcept { return this_machine; }
void set_this_machine(Machine* m) noexcept { this_machine = m; }

// The body of every goroutine's fiber.
struct GoroutineEntry {
  MnRuntime* runtime;
  Goroutine* g;
  boost::context::fiber operator()(boost::context::fiber&&) {
    runtime->arrived(*g);
    threads::detail::run_goroutine_body(*g, g->body);
    g->body = Body{};  // the closure's destructors run while the goroutine still counts
    return runtime->finish(*g);
  }
};

MnRuntime::MnRuntime(unsigned procs)
    : procs_(procs),
      started_at_(lockstep::detail::real_now()),
      stack_size_(goroutine_stack_size()),
      stall_report_ns_(stall_report_ns()),
      spin_ns_(spin_ns()) {}

// ---- spawn ---------------------------------------------------------------------

Task& MnRuntime::spawn(Body&& body, std::string&& name, SourceLocation site) {
  if (!body) fail_misuse("go() of an empty function", nullptr, site);
  start();
  Machine* m = machine_here();
  Processor* p = m != nullptr ? m->p : nullptr;
  Goroutine& g = new_record(p);
  try {
    g.stack = acquire_stack(p);
  } catch (...) {  // no memory for a stack: the record goes back, the caller gets bad_alloc
    std::lock_guard lock(records_mutex_);
    g.link = free_records_;
    free_records_ = &g;
    throw;
  }
  {
    std::lock_guard guard(g.guard);
    g.id = threads::detail::next_task_id();
    g.name = std::move(name);
    g.spawned_at = site;
  }
  g.kind = kGoroutineKind;
  g.body = std::move(body);
  g.eh = {};
  g.asan = lockstep::detail::AsanStack{g.stack.base, g.stack.size, nullptr};
  g.wait = {};
  g.tsan = lockstep::detail::tsan_create();
  lockstep::detail::tsan_constructing(g.tsan, [&] {
    auto release = [this](Stack s) noexcept { release_stack(s); };
    g.context = boost::context::fiber(std::allocator_arg, lockstep::detail::PooledStackAllocator{g.stack, release},
                                      GoroutineEntry{this, &g});
  });
  if (p != nullptr)
    p->live.store(p->live.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  else
    live_elsewhere_.fetch_add(1, std::memory_order_release);
  g.state.store(GState::runnable, std::memory_order_release);
  make_runnable(g, false);
  return g;
}

Goroutine& MnRuntime::new_record(Processor* p) {
  if (p != nullptr && p->free_records == nullptr) {  // refill the P's list
    std::lock_guard lock(records_mutex_);
    for (std::uint32_t i = 0; i < kCacheBatch && free_records_ != nullptr; ++i) {
      Goroutine* g = free_records_;
      free_records_ = g->link;
      g->link = p->free_records;
      p->free_records = g;
      ++p->free_count;
    }
  }
  if (p != nullptr && p->free_records != nullptr) {
    Goroutine* g = p->free_records;
    p->free_records = g->link;
    --p->free_count;
    return *g;
  }
  std::lock_guard lock(records_mutex_);
  if (free_records_ != nullptr) {
    Goroutine* g = free_records_;
    free_records_ = g->link;
    return *g;
  }
  auto* g = new Goroutine;  // never freed: dumps walk every record
  records_.push_back(g);
  return *g;
}

void MnRuntime::free_record(Processor& p, Goroutine& g) noexcept {
  g.state.store(GState::free, std::memory_order_release);
  g.link = p.free_records;
  p.free_records = &g;
  if (++p.free_count <= 4 * kCacheBatch) return;
  // Too many here: a batch goes where any P (or a thread) can take them.
  Goroutine* first = p.free_records;
  Goroutine* last = first;
  for (std::uint32_t i = 1; i < 2 * kCacheBatch; ++i) last = last->link;
  p.free_records = last->link;
  p.free_count -= 2 * kCacheBatch;
  std::lock_guard lock(records_mutex_);
  last->link = free_records_;
  free_records_ = first;
}

Stack MnRuntime::acquire_stack(Processor* p) {
  if (p != nullptr && p->stacks.empty()) {  // refill the P's cache
    std::lock_guard lock(stacks_mutex_);
    while (p->stacks.size() < kCacheBatch && !free_stacks_.empty()) {
      p->stacks.push_back(free_stacks_.back());
      free_stacks_.pop_back();
    }
  }
  if (p != nullptr && !p->stacks.empty()) {
    Stack s = p->stacks.back();
    p->stacks.pop_back();
    return s;
  }
  std::lock_guard lock(stacks_mutex_);
  if (!free_stacks_.empty()) {
    Stack s = free_stacks_.back();
    free_stacks_.pop_back();
    return s;
  }
  return stacks_.acquire(stack_size_, true);  // a new one
}

void MnRuntime::release_stack(const Stack& s) noexcept {
  lockstep::detail::forget_stack(s.base, s.size);
  Machine* m = machine_here();
  Processor* p = m != nullptr ? m->p : nullptr;
  if (p != nullptr) {
    p->stacks.push_back(s);  // cannot throw: capacity reserved for 4 batches
    if (p->stacks.size() < 4 * kCacheBatch) return;
    std::lock_guard lock(stacks_mutex_);  // a batch to the shared list
    free_stacks_.insert(free_stacks_.end(), p->stacks.end() - 2 * kCacheBatch, p->stacks.end());
    p->stacks.resize(p->stacks.size() - 2 * kCacheBatch);
    return;
  }
  std::lock_guard lock(stacks_mutex_);
  free_stacks_.push_back(s);
}

// ---- park, ready, yield -------------------------------------------------------------

Task& MnRuntime::current() noexcept {
  Machine* m = machine_here();
  if (m != nullptr && m->g != nullptr) return *m->g;
  return threads::detail::this_thread_task();
}

void MnRuntime::park(const WaitSite& site, Unlock unlock) {
  Machine* m = machine_here();
  Goroutine* me = m != nullptr ? m->g : nullptr;
  if (me == nullptr) return threads::detail::park_thread(threads::detail::this_thread_task(), site, unlock);
  me->wait = site;
  me->since = lockstep::detail::real_now_coarse();
  if (m->p == nullptr) return park_on_thread(*me, site, unlock);  // in a blocking call
  // The primitive's lock is held until after the switch: only the P's own
  // next goroutine is looked at here (a timer's fire() might want that lock,
  // and the others wait for it). Anything more is g0's work, after unlock.
  Goroutine* next = next_local(*m->p);
  switch_away(*m, *me, next, &after_park, &unlock);
}

// after_park() completes a park on the next context's stack, `me`'s context
// saved (see goroutine.hpp).
void MnRuntime::after_park(MnRuntime& rt, Goroutine& me, void* arg) {
  Unlock unlock = *static_cast<Unlock*>(arg);  // copied: once parked, `me` may run again
  GState s = GState::running;
  if (me.state.compare_exchange_strong(s, GState::parked, std::memory_order_acq_rel)) {
    unlock();
    return;
  }
  // `notified`: a ready() came while it was on its way here.
  me.state.store(GState::runnable, std::memory_order_relaxed);
  unlock();
  rt.make_runnable(me, false);
}

void MnRuntime::after_yield(MnRuntime& rt, Goroutine& me, void*) {
  me.state.store(GState::runnable, std::memory_order_relaxed);
  rt.make_runnable(me, false);
}

void MnRuntime::park_on_thread(Goroutine& me, const WaitSite& site, Unlock unlock) {
  std::string object = lockstep::detail::describe_or_leave(site, unlock);
  {
    std::lock_guard guard(me.guard);
    me.thread_object.swap(object);
    me.thread_parked = true;
  }
  unlock();
  me.parker.park();
  std::lock_guard guard(me.guard);
  me.thread_parked = false;
}

void MnRuntime::ready(Task& task) {
  if (task.kind == kThreadKind) return threads::detail::unpark_thread(static_cast<ThreadTask&>(task));
  auto& g = static_cast<Goroutine&>(task);
  if (g.on_thread.load(std::memory_order_acquire)) return g.parker.unpark();
  GState s = g.state.load(std::memory_order_acquire);
  for (;;) {
    switch (s) {
      case GState::parked:
        if (g.state.compare_exchange_weak(s, GState::runnable, std::memory_order_acq_rel)) {
          make_runnable(g, true);
          return;
        }
        break;
      case GState::running:  // not yet off its worker: its park completes as runnable
        if (g.state.compare_exchange_weak(s, GState::notified, std::memory_order_acq_rel)) return;
        break;
      case GState::pinned:  // a dump is reading its wait; it lets go at once
        __builtin_ia32_pause();
        s = g.state.load(std::memory_order_acquire);
        break;
      default:
        std::fprintf(stderr,
                     "lockstep internal error: ready() of goroutine %llu \"%s\", which is not parked "
                     "(state %u)\n",
                     static_cast<unsigned long long>(g.id), g.name.c_str(), static_cast<unsigned>(s));
        std::abort();
    }
  }
}

void MnRuntime::yield(SourceLocation) {
  Machine* m = machine_here();
  Goroutine* me = m != nullptr ? m->g : nullptr;
  if (me == nullptr || m->p == nullptr) return std::this_thread::yield();
  Goroutine* next = find_runnable(*m->p);
  if (next == nullptr) return;  // nobody else to run
  switch_away(*m, *me, next, &after_yield, nullptr);
}

// ---- time, choice, ids ----------------------------------------------------------------

TimePoint MnRuntime::now() const noexcept { return lockstep::detail::real_now(); }

void MnRuntime::add_timer(TimerNode& node) {
  start();
  std::int64_t when = node.when.time_since_epoch().count();  // once added, another thread may fire it
  bool earliest = timers_.add(node);
  std::int64_t now = lockstep::detail::real_now().time_since_epoch().count();
  // Due already: it fires before add_timer() returns, as Go runs an expired
  // timer at once; through the heap, so a cancel() sees the fire and waits
  // for it. Inside a fire(), it waits for that fire's loop instead.
  if (when <= now && !Timers::in_fire()) {
    timers_.fire_due(now);
    return;
  }
  if (earliest) wake_idle();  // a new earliest: a sleeping worker must wake sooner
}

std::size_t MnRuntime::choose(std::size_t n, SourceLocation where) {
  return threads::detail::choose_at_random(n, where);
}

std::uint64_t MnRuntime::new_object_id() noexcept {
  return next_object_id_.fetch_add(1, std::memory_order_relaxed);
}

// ---- accounting and dumps -----------------------------------------------------------

std::size_t MnRuntime::live_tasks() const noexcept {
  std::int64_t n = live_elsewhere_.load(std::memory_order_acquire);
  if (running_.load(std::memory_order_acquire))
    for (unsigned i = 0; i < procs_; ++i) n += ps_[i].live.load(std::memory_order_acquire);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void MnRuntime::goroutine_ended() noexcept {
  if (live_watchers_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard lock(live_mutex_);
  live_changed_.notify_all();
}

bool MnRuntime::wait_for_live(std::size_t n, std::chrono::steady_clock::time_point deadline) {
  live_watchers_.fetch_add(1, std::memory_order_acq_rel);
  std::unique_lock lock(live_mutex_);
  bool reached = live_changed_.wait_until(lock, deadline, [&] { return live_tasks() <= n; });
  lock.unlock();
  live_watchers_.fetch_sub(1, std::memory_order_acq_rel);
  return reached;
}

std::string MnRuntime::dump() {
  std::vector<TaskSnapshot> tasks = threads::detail::thread_registry().snapshot();  // blocked threads
  {
    std::lock_guard lock(records_mutex_);
    for (Goroutine* g : records_) {
      GState s = g->state.load(std::memory_order_acquire);
      if (s == GState::free) continue;
      TaskSnapshot t;
      t.kind = kGoroutineKind;
      {
        std::lock_guard guard(g->guard);
        t.id = g->id;
        t.name = g->name;
        t.spawned_at = g->spawned_at;
        if (g->thread_parked) {
          t.state = TaskState::blocked;
          t.reason = g->wait.reason;
          t.object = g->thread_object;
          t.site = g->wait.where;
          t.since = std::max(g->since, started_at_);
        }
      }
      if (t.state != TaskState::blocked) {
        // Pinned, a parked goroutine stays parked (ready() waits), so what
        // it waits on (on its own stack, or a channel it holds) stays alive.
        if (s == GState::parked && g->state.compare_exchange_strong(s, GState::pinned, std::memory_order_acq_rel)) {
          t.state = TaskState::blocked;
          t.reason = g->wait.reason;
          t.object = g->wait.object != nullptr ? g->wait.object->describe() : std::string{};
          t.site = g->wait.where;
          // Stamped with the coarse clock (a park costs less): a tick early at most.
          t.since = std::max(g->since, started_at_);
          g->state.store(GState::parked, std::memory_order_release);
        } else {
          // Where a goroutine that is not parked is now cannot be read
          // without stopping it: its spawn site stands in.
          t.state = s == GState::runnable ? TaskState::runnable : TaskState::running;
          t.site = t.spawned_at;
        }
      }
      tasks.push_back(std::move(t));
    }
  }
  std::sort(tasks.begin(), tasks.end(), [](const TaskSnapshot& a, const TaskSnapshot& b) { return a.id < b.id; });
  return format_dump(tasks, started_at_, now(), "goroutine");
}

}  // namespace lockstep::mn::detail
