// The M:N runtime's scheduling: the workers' loop, switching between
// goroutines, run queues, stealing, idling and waking.
#include <cxxabi.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

#include "mn/mn_runtime.hpp"
#include "mn/this_machine.hpp"
#include "runtime/stack_overflow.hpp"

namespace lockstep::mn::detail {

using lockstep::detail::AsanStack;
using lockstep::detail::exchange_eh_state;
using lockstep::detail::finish_switch;
using lockstep::detail::start_switch;
using lockstep::detail::tsan_current;
using lockstep::detail::tsan_destroy;
using lockstep::detail::tsan_switch;

namespace {

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t value, const timespec* timeout) noexcept {
  // A spurious return (EINTR, EAGAIN, a timeout) is harmless: callers re-check.
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, value, timeout, nullptr, 0);
}

void futex_wake(std::atomic<std::uint32_t>& word) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

std::int64_t now_ns() noexcept { return lockstep::detail::real_now().time_since_epoch().count(); }

// The bounds of the calling thread's own stack, for ASan's switch hooks.
AsanStack this_thread_stack() noexcept {
  AsanStack s;
#if defined(LOCKSTEP_ASAN)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* base = nullptr;
    std::size_t size = 0;
    pthread_attr_getstack(&attr, &base, &size);
    s.bottom = base;
    s.size = size;
    pthread_attr_destroy(&attr);
  }
#endif
  return s;
}

// Owner-only counters: one writer, any reader.
void bump(std::atomic<std::uint64_t>& c) noexcept { c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }

}  // namespace

// ---- workers ------------------------------------------------------------------

void MnRuntime::start() {
  std::call_once(started_, [this] {
    ps_ = std::make_unique<Processor[]>(procs_);
    for (unsigned i = 0; i < procs_; ++i) {
      ps_[i].index = i;
      ps_[i].stacks.reserve(4 * kCacheBatch);  // release_stack() pushes without allocating
    }
    for (unsigned i = 0; i < procs_; ++i) {
      auto* m = new Machine;  // never freed: lives as long as its thread, the process
      m->p = &ps_[i];
      std::thread([this, m] { machine_main(m); }).detach();
    }
    std::thread([this] { monitor_main(); }).detach();
    running_.store(true, std::memory_order_release);
  });
}

// describe_overflow() is the SIGSEGV handler's question for a worker thread:
// did its goroutine run off the end of its stack (into the guard page)?
static bool describe_overflow(const void* fault, char* buffer, std::size_t size) noexcept {
  Machine* m = machine_here();
  Goroutine* g = m != nullptr ? m->g : nullptr;
  if (g == nullptr || !lockstep::detail::overflows(g->stack, fault)) return false;
  lockstep::detail::describe_overflow(buffer, size, *g, g->stack, false, "LOCKSTEP_STACK_KIB");
  return true;
}

void MnRuntime::machine_main(Machine* m) {
  set_this_machine(m);
  lockstep::detail::install_overflow_handler(&describe_overflow);
  m->g0_tsan = tsan_current();
  m->g0_asan = this_thread_stack();
  for (;;) {
    Processor* p = m->p;
    if (p == nullptr) {
      wait_for_processor(*m);
      continue;
    }
    if (Goroutine* g = find_runnable(*p))
      run(*m, *g);
    else
      idle(*p);
  }
}

// run() switches from g0 to `g` and returns when a goroutine of this M
// switches back to g0 (its P ran dry, or it made a blocking call).
void MnRuntime::run(Machine& m, Goroutine& g) {
  Processor& p = *m.p;
  g.state.store(GState::running, std::memory_order_relaxed);
  m.g = &g;
  p.running.store(&g, std::memory_order_release);
  bump(p.switches);
  m.g0_eh = exchange_eh_state(abi::__cxa_get_globals(), g.eh);
  start_switch(&m.g0_asan, g.asan);
  tsan_switch(g.tsan);
  Machine* mp = &m;
  std::move(g.context).resume_with([mp](boost::context::fiber&& from) {
    mp->g0 = std::move(from);
    return boost::context::fiber{};
  });
  AsanStack left;
  finish_switch(&m.g0_asan, left);
  if (m.tsan_to_destroy != nullptr) {  // a goroutine exited into g0 (finish())
    tsan_switch(m.g0_tsan);
    tsan_destroy(std::exchange(m.tsan_to_destroy, nullptr));
  }
}

// ---- switching ----------------------------------------------------------------

void MnRuntime::switch_away(Machine& m, Goroutine& me, Goroutine* next, Then then, void* arg) {
  lockstep::detail::check_canary(me, me.stack, "LOCKSTEP_STACK_KIB");
  Processor* p = m.p;  // null when leaving a blocking call
  m.g = next;
  void* globals = abi::__cxa_get_globals();
  boost::context::fiber* target;
  void* target_tsan;
  if (next != nullptr) {
    next->state.store(GState::running, std::memory_order_relaxed);
    me.eh = exchange_eh_state(globals, next->eh);
    start_switch(&me.asan, next->asan);
    target = &next->context;
    target_tsan = next->tsan;
  } else {
    me.eh = exchange_eh_state(globals, m.g0_eh);
    start_switch(&me.asan, m.g0_asan);
    target = &m.g0;
    target_tsan = m.g0_tsan;
  }
  if (p != nullptr) {
    p->running.store(next, std::memory_order_release);
    bump(p->switches);
  }
  MnRuntime* self = this;
  Goroutine* mep = &me;
  tsan_switch(target_tsan);
  // `then` runs on the target's stack, once `me`'s context is saved: only
  // then may another thread resume `me`.
  std::move(*target).resume_with([self, mep, then, arg](boost::context::fiber&& from) {
    mep->context = std::move(from);
    then(*self, *mep, arg);
    return boost::context::fiber{};
  });
  arrived(me);
}

// arrived() is the first thing a goroutine does when it is switched to.
void MnRuntime::arrived(Goroutine& me) noexcept {
  Machine& m = *machine_here();  // maybe another thread than before the switch
  AsanStack left;
  finish_switch(&me.asan, left);
  if (m.tsan_to_destroy != nullptr) {  // came from a goroutine that exited (finish())
    tsan_switch(me.tsan);
    tsan_destroy(std::exchange(m.tsan_to_destroy, nullptr));
  }
}

// finish() is a goroutine's last step, on its own stack: it gives up its
// record and returns the context to jump to; Boost.Context then frees the
// stack from there (PooledStackAllocator). Its exit switch is announced to TSan on
// arrival: its own last frames still return after this point.
boost::context::fiber MnRuntime::finish(Goroutine& g) {
  Machine& m = *machine_here();
  Processor& p = *m.p;
  lockstep::detail::check_canary(g, g.stack, "LOCKSTEP_STACK_KIB");
  // Ended, for counts and dumps alike (a dump skips free records).
  g.state.store(GState::free, std::memory_order_release);
  p.live.store(p.live.load(std::memory_order_relaxed) - 1, std::memory_order_release);
  goroutine_ended();
  Goroutine* next = find_runnable(p);
  m.tsan_to_destroy = g.tsan;
  g.tsan = nullptr;
  m.g = next;
  void* globals = abi::__cxa_get_globals();
  boost::context::fiber target;
  if (next != nullptr) {
    next->state.store(GState::running, std::memory_order_relaxed);
    exchange_eh_state(globals, next->eh);
    start_switch(nullptr, next->asan);
    target = std::move(next->context);
  } else {
    exchange_eh_state(globals, m.g0_eh);
    start_switch(nullptr, m.g0_asan);
    target = std::move(m.g0);
  }
  p.running.store(next, std::memory_order_release);
  bump(p.switches);
  free_record(p, g);  // reusable from here; the stack stays ours until the jump
  return target;
}

// ---- run queues -----------------------------------------------------------------

// next_local() takes the P's next goroutine from runnext or its local queue
// only: no timer fires, no lock is taken, so park() may call it while the
// primitive's lock is held.
Goroutine* MnRuntime::next_local(Processor& p) {
  // runnext first, but not forever: a ping-pong pair would starve the queue.
  if (p.runnext_streak < 64 || p.queue.empty()) {
    if (p.runnext.load(std::memory_order_relaxed) != nullptr)
      if (Goroutine* g = p.runnext.exchange(nullptr, std::memory_order_acq_rel)) {
        ++p.runnext_streak;
        return g;
      }
  }
  p.runnext_streak = 0;
  if (Goroutine* g = p.queue.pop()) return g;
  if (p.runnext.load(std::memory_order_relaxed) != nullptr)
    if (Goroutine* g = p.runnext.exchange(nullptr, std::memory_order_acq_rel)) return g;
  return nullptr;
}

Goroutine* MnRuntime::find_runnable(Processor& p) {
  fire_due_timers();
  if (++p.ticks % 61 == 0)  // now and then the global queue first, so it never starves
    if (Goroutine* g = global_.pop()) return g;
  if (Goroutine* g = next_local(p)) return g;
  if (!global_.empty()) {
    Goroutine* batch[32];
    std::uint32_t n = global_.pop_batch(batch, 32);
    for (std::uint32_t i = 1; i < n; ++i) p.queue.push(batch[i]);  // the queue is empty: room
    if (n > 0) return batch[0];
  }
  return steal(p);
}

Goroutine* MnRuntime::steal(Processor& p) {
  for (unsigned k = 1; k < procs_; ++k) {
    Processor& victim = ps_[(p.index + k) % procs_];
    if (Goroutine* g = victim.queue.steal_into(p.queue)) return g;
    if (victim.stuck.load(std::memory_order_relaxed) && victim.runnext.load(std::memory_order_relaxed))
      if (Goroutine* g = victim.runnext.exchange(nullptr, std::memory_order_acq_rel)) return g;
  }
  return nullptr;
}

void MnRuntime::make_runnable(Goroutine& g, bool next) {
  Machine* m = machine_here();
  Processor* p = m != nullptr ? m->p : nullptr;
  if (p == nullptr) {  // a thread that is not a worker, or a blocking call
    global_.push(&g);
    wake_idle();
    return;
  }
  Goroutine* queued = &g;
  if (next) {
    // runnext: this worker runs it when the readier parks; no wake-up (the
    // monitor lets an idle worker take it if the readier runs on too long).
    queued = p->runnext.exchange(&g, std::memory_order_acq_rel);
    if (queued == nullptr) return;
  }
  if (!p->queue.push(queued)) {  // full: half of it, and this one, to the global queue
    Goroutine* batch[LocalQueue::kSize / 2 + 1];
    std::uint32_t n = p->queue.take_half(batch, LocalQueue::kSize / 2);
    batch[n++] = queued;
    for (std::uint32_t i = 0; i + 1 < n; ++i) batch[i]->link = batch[i + 1];
    global_.push_batch(batch[0], batch[n - 1], n);
  }
  wake_idle();
}

void MnRuntime::fire_due_timers() {
  std::int64_t earliest = timers_.earliest();
  if (earliest == Timers::kNone) return;
  std::int64_t now = now_ns();
  if (earliest <= now) timers_.fire_due(now);
}

// ---- idling -----------------------------------------------------------------------

// idle() puts the calling worker to sleep until work appears or a timer is
// due. It announces itself in idle_mask_ first and looks for work after:
// whoever adds work adds it first and looks at idle_mask_ after (wake_idle()),
// so one of the two sees the other.
bool MnRuntime::work_visible(Processor& p) const noexcept {
  if (!global_.empty() || p.runnext.load(std::memory_order_relaxed) != nullptr) return true;
  for (unsigned i = 0; i < procs_; ++i)
    if (!ps_[i].queue.empty()) return true;
  return timers_.earliest() <= now_ns();
}

void MnRuntime::idle(Processor& p) {
  // A bounded spin first (LOCKSTEP_SPIN_US): work that comes within it
  // costs no futex sleep and wake-up.
  if (spin_ns_ > 0) {
    std::int64_t until = now_ns() + spin_ns_;
    do {
      for (int i = 0; i < 32; ++i) __builtin_ia32_pause();
      if (work_visible(p)) return;
    } while (now_ns() < until);
  }
  const std::uint64_t bit = std::uint64_t{1} << p.index;
  p.sleep_word.store(0, std::memory_order_relaxed);
  idle_mask_.fetch_or(bit, std::memory_order_seq_cst);
  std::int64_t now = now_ns();
  std::int64_t next_timer = timers_.earliest();
  bool work = !global_.empty() || p.runnext.load(std::memory_order_relaxed) != nullptr || next_timer <= now;
  for (unsigned i = 0; i < procs_ && !work; ++i) work = !ps_[i].queue.empty();
  if (!work) {
    timespec ts;
    timespec* timeout = nullptr;
    if (next_timer != Timers::kNone) {
      std::int64_t wait = next_timer - now;
      ts.tv_sec = static_cast<time_t>(wait / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(wait % 1'000'000'000);
      timeout = &ts;
    }
    futex_wait(p.sleep_word, 0, timeout);
  }
  idle_mask_.fetch_and(~bit, std::memory_order_relaxed);
}

void MnRuntime::wake_idle() noexcept {
  // A read-modify-write, not a plain load: it is ordered with an idler's
  // fetch_or on the same mask, so either this sees the idler's bit, or the
  // idler (acquiring what this released) sees the work added before.
  std::uint64_t mask = idle_mask_.fetch_or(0, std::memory_order_acq_rel);
  while (mask != 0) {
    unsigned i = static_cast<unsigned>(__builtin_ctzll(mask));
    if (idle_mask_.compare_exchange_weak(mask, mask & ~(std::uint64_t{1} << i), std::memory_order_acq_rel,
                                         std::memory_order_relaxed)) {
      Processor& p = ps_[i];
      p.sleep_word.store(1, std::memory_order_release);
      futex_wake(p.sleep_word);
      return;
    }
  }
}

}  // namespace lockstep::mn::detail
