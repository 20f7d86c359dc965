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

// Live guarded stacks in the whole process: the mapping limit is per process.
std::atomic<std::size_t> guarded_live{0};

void* map_noreserve(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

}  // namespace

struct StackPool::SizeClass {
  std::size_t size = 0;
  std::vector<Stack> free_guarded;
  std::vector<Stack> free_canary;  // pages possibly resident
  std::vector<Stack> cold_canary;  // pages returned to the OS by trim()
  unsigned char* arena = nullptr;  // current arena; slots below arena_used are taken
  std::size_t arena_used = 0;
  std::vector<std::pair<void*, std::size_t>> arenas;  // every arena, unmapped with the pool
  SizeClass* next = nullptr;
};

StackPool& StackPool::local() {
  static thread_local StackPool pool;
  return pool;
}

StackPool::~StackPool() {
  while (classes_ != nullptr) {
    SizeClass* sc = classes_;
    classes_ = sc->next;
    for (Stack& s : sc->free_guarded) {
      munmap(s.base - page_size(), s.size + page_size());
      guarded_live.fetch_sub(1, std::memory_order_relaxed);
    }
    for (auto& [p, n] : sc->arenas) munmap(p, n);
    delete sc;
  }
}

StackPool::SizeClass& StackPool::size_class(std::size_t size) {
  for (SizeClass* sc = classes_; sc != nullptr; sc = sc->next)
    if (sc->size == size) return *sc;
  auto* sc = new SizeClass;
  sc->size = size;
  sc->next = classes_;
  classes_ = sc;
  return *sc;
}

Stack StackPool::carve_from_arena(SizeClass& sc) {
  if (sc.arena == nullptr || sc.arena_used == kArenaSlots) {
    std::size_t bytes = sc.size * kArenaSlots;
    sc.arena = static_cast<unsigned char*>(map_noreserve(bytes));
    sc.arenas.emplace_back(sc.arena, bytes);
    sc.arena_used = 0;
  }
  Stack s{sc.arena + sc.arena_used * sc.size, sc.size, false};
  ++sc.arena_used;
  return s;
}

Stack StackPool::acquire(std::size_t size, bool guard_pages) {
  SizeClass& sc = size_class(round_to_pages(size));
  Stack s;
  if (guard_pages && !sc.free_guarded.empty()) {
    s = sc.free_guarded.back();
    sc.free_guarded.pop_back();
  } else if (guard_pages && guarded_live.fetch_add(1, std::memory_order_relaxed) < kGuardedStacksMax) {
    std::size_t page = page_size();
    auto* p = static_cast<unsigned char*>(map_noreserve(sc.size + page));
    if (mprotect(p, page, PROT_NONE) != 0) {
      munmap(p, sc.size + page);
      guarded_live.fetch_sub(1, std::memory_order_relaxed);
      throw std::bad_alloc();
    }
    s = Stack{p + page, sc.size, true};
  } else {
    if (guard_pages) guarded_live.fetch_sub(1, std::memory_order_relaxed);
    if (!sc.free_canary.empty()) {
      s = sc.free_canary.back();
      sc.free_canary.pop_back();
    } else if (!sc.cold_canary.empty()) {
      s = sc.cold_canary.back();
      sc.cold_canary.pop_back();
    } else {
      s = carve_from_arena(sc);
    }
  }
  return s;
}

void StackPool::release(Stack stack) noexcept {
  forget_stack(stack.base, stack.size);
  SizeClass& sc = size_class(stack.size);
  // Cannot throw in practice: the vectors only grow back to a size they had.
  (stack.guarded ? sc.free_guarded : sc.free_canary).push_back(stack);
}

void StackPool::trim(std::size_t keep) noexcept {
  for (SizeClass* sc = classes_; sc != nullptr; sc = sc->next) {
    while (sc->free_guarded.size() > keep) {
      Stack s = sc->free_guarded.back();
      sc->free_guarded.pop_back();
      munmap(s.base - page_size(), s.size + page_size());
      guarded_live.fetch_sub(1, std::memory_order_relaxed);
    }
    // Arena slots cannot be unmapped one by one without splitting the arena's
    // mapping; give their pages back instead and keep the address range.
    // Adjacent slots go back in one call: each call costs a TLB shootdown.
    if (sc->free_canary.size() <= keep) continue;
    std::vector<Stack> surplus(sc->free_canary.begin() + static_cast<std::ptrdiff_t>(keep),
                               sc->free_canary.end());
    sc->free_canary.resize(keep);
    std::sort(surplus.begin(), surplus.end(),
              [](const Stack& a, const Stack& b) { return a.base < b.base; });
    for (std::size_t i = 0; i < surplus.size();) {
      std::size_t j = i + 1;
      while (j < surplus.size() && surplus[j].base == surplus[j - 1].base + sc->size) ++j;
      madvise(surplus[i].base, (j - i) * sc->size, MADV_DONTNEED);
      i = j;
    }
    sc->cold_canary.insert(sc->cold_canary.end(), surplus.begin(), surplus.end());
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
