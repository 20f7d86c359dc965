#include "runtime/stack_pool.hpp"

#include "runtime/sanitizer_hooks.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace lockstep::detail {
namespace {

std::size_t page_size() noexcept {
  static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

std::size_t round_to_pages(std::size_t n) noexcept {
  std::size_t page = page_size();
  return (n + page - 1) / page * page;
}

// Guarded slots carved in the whole process: the mapping limit is per process.
std::atomic<std::size_t> guarded_carved{0};

void* map_noreserve(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

}  // namespace

// The free stacks of one size and tier, in one vector: slots[cold..] are
// hot (pages possibly resident), most recently released last; slots[..cold]
// had their pages returned by trim(). Taking from the back takes the hottest
// first and the cold ones only when no hot one is left.
struct StackPool::FreeList {
  std::vector<Stack> slots;  // capacity: every slot of the tier (carve()), so release() never allocates
  std::size_t cold = 0;
  std::size_t carved = 0;

  bool take(Stack& s) noexcept {
    if (slots.empty()) return false;
    s = slots.back();
    slots.pop_back();
    cold = std::min(cold, slots.size());
    return true;
  }
};

// A tier's own arenas, carved in address order, and its free stacks. The
// guarded tier lays a slot out as a page (the guard) and the stack; the
// canary tier packs stacks end to end, each `kCanaryBytes` below a page
// boundary (stack_pool.hpp), so its stride is the stack size.
struct StackPool::Tier {
  FreeList free;
  std::size_t stride = 0;
  std::size_t arena_slots = 0;
  std::size_t lead = 0;                // an arena's bytes before its first slot's stack
  unsigned char* next_slot = nullptr;  // in the newest arena
  std::size_t slots_left = 0;          // in the newest arena
};

struct StackPool::SizeClass {
  std::size_t size = 0;  // usable bytes of each stack
  Tier guarded, canary;
  std::vector<std::pair<void*, std::size_t>> arenas;  // both tiers'; unmapped with the pool
  SizeClass* next = nullptr;

  Tier& tier(bool guard) noexcept { return guard ? guarded : canary; }
};

StackPool& StackPool::local() {
  static thread_local StackPool pool;
  return pool;
}

// A size class whose slots are not all back (a fiber left in place keeps its
// stack for the life of the process, sim/graveyard.hpp) keeps its arenas
// mapped: the buried frames stay readable, as LeakSanitizer's root regions.
StackPool::~StackPool() {
  while (classes_ != nullptr) {
    SizeClass* sc = classes_;
    classes_ = sc->next;
    bool all_back = sc->guarded.free.slots.size() == sc->guarded.free.carved &&
                    sc->canary.free.slots.size() == sc->canary.free.carved;
    if (all_back) {
      for (auto& [p, n] : sc->arenas) munmap(p, n);
      guarded_carved.fetch_sub(sc->guarded.free.carved, std::memory_order_relaxed);
    }
    delete sc;
  }
}

StackPool::SizeClass& StackPool::size_class(std::size_t size) {
  for (SizeClass* sc = classes_; sc != nullptr; sc = sc->next)
    if (sc->size == size) return *sc;
  auto* sc = new SizeClass;
  sc->size = size;
  sc->guarded.stride = size + page_size();
  sc->guarded.lead = page_size();
  sc->canary.stride = size;
  sc->canary.lead = page_size() - kCanaryBytes;
  for (Tier* t : {&sc->guarded, &sc->canary})
    t->arena_slots = std::clamp<std::size_t>(kArenaBytesMax / t->stride, 1, kArenaSlotsMax);
  sc->next = classes_;
  classes_ = sc;
  return *sc;
}

// carve() takes the next slot of the tier's newest arena, mapping a new arena
// when it is full. A guarded slot (the caller took a unit of the process's
// guard budget for it) gets its guard page; if the kernel refuses, the slot
// stays in the guarded tier's layout without one, and the unit goes back.
Stack StackPool::carve(SizeClass& sc, bool guarded) {
  struct Budget {
    bool held;
    ~Budget() {
      if (held) guarded_carved.fetch_sub(1, std::memory_order_relaxed);
    }
  } budget{guarded};
  Tier& tier = sc.tier(guarded);
  if (tier.slots_left == 0) {
    sc.arenas.reserve(sc.arenas.size() + 1);
    // The canary tier's last stack ends kCanaryBytes into one more page.
    std::size_t bytes = tier.stride * tier.arena_slots + (guarded ? 0 : page_size());
    tier.next_slot = static_cast<unsigned char*>(map_noreserve(bytes));
    sc.arenas.emplace_back(tier.next_slot, bytes);
    tier.slots_left = tier.arena_slots;
  }
  unsigned char* slot = tier.next_slot;
  bool guard = guarded && mprotect(slot, page_size(), PROT_NONE) == 0;
  FreeList& list = tier.free;
  if (list.slots.capacity() == list.carved) list.slots.reserve(std::max<std::size_t>(64, 2 * list.carved));
  tier.next_slot += tier.stride;
  --tier.slots_left;
  ++list.carved;
  budget.held = guarded && !guard;  // a guarded slot keeps its unit
  return Stack{slot + tier.lead, sc.size, guard, !guarded};
}

Stack StackPool::acquire(std::size_t size, bool guard_pages) {
  SizeClass& sc = size_class(round_to_pages(size));
  Stack s;
  if (guard_pages) {
    if (sc.guarded.free.take(s)) return s;
    if (guarded_carved.fetch_add(1, std::memory_order_relaxed) < kGuardedStacksMax) return carve(sc, true);
    guarded_carved.fetch_sub(1, std::memory_order_relaxed);
  }
  if (sc.canary.free.take(s)) return s;
  return carve(sc, false);
}

void StackPool::release(Stack stack) noexcept {
  forget_stack(stack.base, stack.size);
  // Within the capacity carve() reserved.
  size_class(stack.size).tier(!stack.packed).free.slots.push_back(stack);
}

void StackPool::trim(std::size_t keep) noexcept {
  for (SizeClass* sc = classes_; sc != nullptr; sc = sc->next)
    for (Tier* tier : {&sc->guarded, &sc->canary}) {
      FreeList* list = &tier->free;
      if (list->slots.size() - list->cold <= keep) continue;
      // The hot slots below the `keep` on top go cold. Their pages go back
      // by runs of adjacent slots (guard pages between them included), one
      // madvise per run: each call costs a TLB shootdown. A stack's pages
      // are those its bytes start in, from its first whole page (a packed
      // stack's canary lies in the page of the stack below it) to the page
      // of its top (which holds the canary of the stack above it: zeros
      // again after the madvise, so intact).
      auto first = list->slots.begin() + static_cast<std::ptrdiff_t>(list->cold);
      auto last = list->slots.end() - static_cast<std::ptrdiff_t>(keep);
      std::sort(first, last, [](const Stack& a, const Stack& b) { return a.base < b.base; });
      std::size_t shift = tier == &sc->canary ? kCanaryBytes : 0;
      for (auto run = first; run != last;) {
        auto end = run + 1;
        while (end != last && end->base == (end - 1)->base + tier->stride) ++end;
        unsigned char* from = run->base + shift;
        madvise(from, static_cast<std::size_t>((end - 1)->base + sc->size + shift - from), MADV_DONTNEED);
        run = end;
      }
      list->cold = list->slots.size() - keep;
    }
}

// ---- SIGSEGV on a guard page ------------------------------------------------

namespace {

// One describer per runtime that runs fibers (a simulation, the M:N
// runtime); each answers for the fibers of the thread that faulted.
constexpr int kDescribers = 4;
std::atomic<OverflowDescriber> describers[kDescribers] = {};
struct sigaction previous_action;

void on_segv(int sig, siginfo_t* info, void* uctx) {
  char line[512];
  for (auto& slot : describers) {
    OverflowDescriber describe = slot.load(std::memory_order_acquire);
    if (describe != nullptr && describe(info->si_addr, line, sizeof line)) {
      ssize_t ignored = write(STDERR_FILENO, line, std::strlen(line));
      (void)ignored;
      std::abort();
    }
  }
  // Not ours: hand the signal to whoever had it, or crash as the default does.
  if (previous_action.sa_flags & SA_SIGINFO) {
    if (previous_action.sa_sigaction != nullptr) return previous_action.sa_sigaction(sig, info, uctx);
  } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
    return previous_action.sa_handler(sig);
  }
  signal(SIGSEGV, SIG_DFL);  // returning re-executes the fault, which now kills
}

struct AltStack {
  std::unique_ptr<unsigned char[]> memory;
  AltStack() {
    constexpr std::size_t kSize = 64 * 1024;
    memory.reset(new unsigned char[kSize]);
    stack_t ss{};
    ss.ss_sp = memory.get();
    ss.ss_size = kSize;
    sigaltstack(&ss, nullptr);
  }
  ~AltStack() {
    stack_t ss{};
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
  }
};

}  // namespace

void install_overflow_handler(OverflowDescriber describe) {
  static thread_local AltStack alt_stack;
  (void)alt_stack;
  for (auto& slot : describers) {
    OverflowDescriber seen = nullptr;
    if (slot.compare_exchange_strong(seen, describe, std::memory_order_acq_rel) || seen == describe) break;
  }
  // Checked at every run, not once: test frameworks (Catch2) install their own
  // SIGSEGV handler around each test and restore the previous one after it.
  struct sigaction current{};
  sigaction(SIGSEGV, nullptr, &current);
  if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_segv) return;
  static std::mutex install_mutex;  // simulations on two threads may get here at once
  std::lock_guard lock(install_mutex);
  struct sigaction sa{}, old{};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &old);
  if (!((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == on_segv)) previous_action = old;
}

}  // namespace lockstep::detail
