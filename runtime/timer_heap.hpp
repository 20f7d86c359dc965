// TimerHeap: pending timers, earliest first (a simulation's, the M:N
// runtime's, and the real-thread runtime's timer thread's).
//
// Ordered by (when, add order): timers with equal deadlines fire in the order
// they were added, on every run and every machine (no address or hash
// decides).
//
// Operations: push() O(log n), pop() O(log n), remove() O(1) amortized,
// earliest()/empty()/size() O(1).
//
// How: a 4-ary implicit heap of 16-byte entries, (when, key), where key is
// the add order in its high 32 bits and a handle in its low 32. The handle
// indexes a table of node pointers, so sifting moves 16-byte keys and never
// touches a TimerNode (a million random timers are a million cache misses
// otherwise), and the four children of a slot share one cache line. remove()
// is lazy: it clears the node's handle and leaves the entry in the heap, dead;
// dead entries are dropped when they reach the top, and all at once when
// they outnumber the live ones. The add order restarts from 0 (entries
// renumbered in heap order, so the order among them is kept) when it would
// pass `order_limit`.
//
// Invariants: the top entry is live (or the heap is empty); a pending node's
// `slot` is its handle, and nodes_[handle] points back to it.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/seam.hpp"

namespace lockstep::detail {

class TimerHeap {
 public:
  // `order_limit` bounds the add order kept in a key (tests lower it to
  // exercise the renumbering); it must exceed the number of pending timers.
  explicit TimerHeap(std::uint32_t order_limit = ~std::uint32_t{0}) noexcept : order_limit_(order_limit) {}
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;
  ~TimerHeap();

  bool empty() const noexcept { return live_ == 0; }
  std::size_t size() const noexcept { return live_; }
  // earliest() is the smallest pending `when`; the heap must not be empty.
  TimePoint earliest() const noexcept { return TimePoint{Duration{heap_[0].when}}; }

  // push() schedules `node` after every timer already added with the same
  // `when`; returns true if it is now the earliest. The node must not be
  // pending. Throws std::bad_alloc.
  bool push(TimerNode& node);
  // pop() removes and returns the earliest timer; the heap must not be empty.
  TimerNode& pop() noexcept;
  // remove() unschedules a pending node; returns false if it was not pending.
  bool remove(TimerNode& node) noexcept;

 private:
  struct Entry {
    std::int64_t when;
    std::uint64_t key;  // add order << 32 | handle
    bool operator<(const Entry& o) const noexcept { return when < o.when || (when == o.when && key < o.key); }
  };
  static constexpr std::size_t kArity = 4;
  static std::uint32_t handle_of(const Entry& e) noexcept { return static_cast<std::uint32_t>(e.key); }

  std::uint32_t new_handle(TimerNode& node);
  void free_handle(std::uint32_t handle) noexcept { free_handles_.push_back(handle); }
  void grow();
  void remove_top() noexcept;
  void drop_dead_tops() noexcept;
  void compact() noexcept;
  void renumber() noexcept;
  std::size_t sift_up(std::size_t slot, Entry e) noexcept;
  void sift_down(std::size_t slot, Entry e) noexcept;

  // heap_[1..4] start a cache line: heap_ points 3 entries into the
  // 64-byte-aligned block_.
  Entry* block_ = nullptr;
  Entry* heap_ = nullptr;
  std::size_t count_ = 0;     // entries, dead ones included
  std::size_t capacity_ = 0;  // entries heap_ can hold
  std::size_t live_ = 0;
  std::vector<TimerNode*> nodes_;  // by handle; null: removed, its entry still in the heap
  std::vector<std::uint32_t> free_handles_;  // LIFO, so the table stays small and warm
  std::uint64_t next_seq_ = 0;     // TimerNode::seq, for logs: never restarts
  std::uint32_t next_order_ = 0;   // the key's add order: restarts at renumber()
  std::uint32_t order_limit_;
};

}  // namespace lockstep::detail
