// Fiber stacks: carved from arenas, reused LIFO, returned in bulk,
// overflow-checked.
//
// Stacks are slots of large anonymous MAP_NORESERVE mappings (arenas of up to
// kArenaSlotsMax slots): reserving costs address space only, and a parked
// fiber's resident memory is the pages it touched (usually one). A released
// stack goes back to its size's free list, most recent on top, and the next
// acquire() takes it: its pages are still resident and in the TLB, and no
// system call is made. So in steady state, spawning and ending a fiber make
// none; the only calls are one mmap per new arena, one mprotect per guard
// page the first time its slot is carved, and trim()'s madvise, one per run
// of adjacent free slots.
//
// Overflow detection has two tiers, because the kernel allows 65,530
// mappings per process and a guard page splits a mapping in two. Each tier
// has arenas of its own:
//  - guarded: the first kGuardedStacksMax slots carved in the process (while
//    guard pages are asked for) are a PROT_NONE guard page and the stack
//    above it. Running into it raises SIGSEGV; the handler (on an alternate
//    signal stack) names the fiber and aborts.
//  - canary: beyond that, stacks are packed end to end with no page between
//    them, each starting kCanaryBytes below a page boundary:
//
//        page k-1                      page k
//        [ ..stack i-1's top | canary i ][ stack i's first whole page ... ]
//
//    The lowest kCanaryBytes of each stack (its canary) must stay zero; the
//    simulation checks them, and that the frame it is switching from lies
//    above them, every time a fiber switches out. A damaged canary names the
//    fiber and aborts. A single frame larger than kCanaryBytes that writes
//    nothing inside it, and returns before the next switch, can step over
//    the canary unnoticed (into the stack below); guarded stacks have no gap.
// Every stack carries the canary, so both tiers report the same way. A slot
// keeps its tier for the life of the pool.
//
// The canary is zeros on purpose: fresh and MADV_DONTNEED pages read as zero,
// so a canary is intact on a fresh page. Packing puts a canary in the page
// that holds the top of the stack below it, which its fiber has touched
// already if it lives: checking the canary then reads a resident page. With
// a page of its own, the first check of each fresh stack took a page fault
// (mapping the kernel's zero page: no memory, but about 0.5 us), which at
// 100,000 fibers was a sixth of spawning and parking them. A parked fiber
// costs one resident page, not two. A stack returns to the pool only after
// its fiber exited through a canary check, so a pooled stack's canary is
// known to be intact.
#pragma once

#include <boost/context/stack_context.hpp>

#include <cstddef>
#include <cstdint>

namespace lockstep::detail {

struct Stack {
  unsigned char* base = nullptr;  // lowest usable byte; the canary starts here
  std::size_t size = 0;           // usable bytes, canary included
  bool guarded = false;
  bool packed = false;  // the canary tier's layout: no page below, the canary in the page of the stack below

  void* top() const noexcept { return base + size; }
};

inline constexpr std::size_t kGuardedStacksMax = 16384;  // 32,768 mappings
inline constexpr std::size_t kArenaSlotsMax = 1024;
inline constexpr std::size_t kArenaBytesMax = std::size_t{256} << 20;  // fewer slots for big stacks
inline constexpr std::size_t kCanaryBytes = 256;

// PooledStackAllocator: Boost.Context's stack allocator over a pooled
// stack, for a runtime that runs fibers (a simulation, the M:N runtime).
// Boost moves it into the fiber's record, on the stack itself, and calls
// deallocate() as the fiber ends: `release(stack)` takes the stack back.
template <class Release>
struct PooledStackAllocator {
  Stack stack;
  Release release;
  boost::context::stack_context allocate() noexcept {
    boost::context::stack_context sc;
    sc.sp = stack.top();
    sc.size = stack.size - kCanaryBytes;
    return sc;
  }
  void deallocate(boost::context::stack_context&) noexcept { release(stack); }
};

// The per-thread pool. Not thread-safe: each simulation uses its own
// thread's pool, and only one simulation runs on a thread at a time.
class StackPool {
 public:
  static StackPool& local();

  // acquire() returns a stack of `size` usable bytes (rounded up to pages)
  // with an intact canary: the most recently released one of its size and
  // tier, else a new slot. With `guard_pages`, a guarded one while the
  // process's budget lasts. Throws std::bad_alloc when the kernel refuses.
  Stack acquire(std::size_t size, bool guard_pages);
  // release() takes a stack back; no system call.
  void release(Stack stack) noexcept;
  // trim() returns the pages of the free stacks beyond the `keep` most
  // recently released of each size and tier to the OS (they stay reserved).
  void trim(std::size_t keep) noexcept;

  StackPool() = default;
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool();

 private:
  struct SizeClass;
  struct FreeList;
  struct Tier;
  SizeClass& size_class(std::size_t size);
  Stack carve(SizeClass& sc, bool guarded);

  SizeClass* classes_ = nullptr;  // a short list: one per stack size in use
};

inline bool canary_intact(const Stack& s) noexcept {
  // First and last word of the region: an overflow crossing it writes (return
  // addresses, saved registers: not zero) at least one of them unless a
  // single frame spans all of it.
  auto* words = reinterpret_cast<const volatile std::uint64_t*>(s.base);
  return (words[0] | words[kCanaryBytes / 8 - 1]) == 0;
}

// install_overflow_handler() makes sure the calling thread has an alternate
// signal stack and the process a SIGSEGV handler that asks `describe` (and
// the other runtimes' describers, up to four) which fiber overflowed.
// `describe(fault_address, buffer, size)` writes a one-line diagnosis and
// returns true if the fault is a stack overflow of the calling thread's
// fiber.
using OverflowDescriber = bool (*)(const void* fault, char* buffer, std::size_t size);
void install_overflow_handler(OverflowDescriber describe);

}  // namespace lockstep::detail
