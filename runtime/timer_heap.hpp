// TimerHeap: pending timers, earliest first (a simulation's, and the
// real-thread runtime's timer thread's).
//
// Ordered by (when, seq): seq is the add order, so timers with equal deadlines
// fire in creation order, on every run and every machine (no address or hash
// decides). A 4-ary heap with the keys stored inline: a sift compares keys
// without touching the timer nodes, which is what keeps a million random
// timers fast. Each node records its slot, so cancel() is O(log n).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/seam.hpp"

namespace lockstep::detail {

class TimerHeap {
 public:
  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }
  // earliest() is the smallest `when`; the heap must not be empty.
  TimePoint earliest() const noexcept { return TimePoint{Duration{entries_.front().when}}; }

  // push() schedules `node` after every timer already added with the same
  // `when`. The node must not be pending.
  void push(TimerNode& node);
  // pop() removes and returns the earliest timer; the heap must not be empty.
  TimerNode& pop() noexcept;
  // remove() unschedules a pending node; returns false if it was not pending.
  bool remove(TimerNode& node) noexcept;

 private:
  struct Entry {
    std::int64_t when;
    std::uint64_t seq;
    TimerNode* node;
    bool operator<(const Entry& o) const noexcept {
      return when < o.when || (when == o.when && seq < o.seq);
    }
  };
  static constexpr std::size_t kArity = 4;

  void place(std::size_t slot, const Entry& e) noexcept {
    entries_[slot] = e;
    e.node->slot = static_cast<std::uint32_t>(slot);
  }
  void sift_up(std::size_t slot, Entry e) noexcept;
  void sift_down(std::size_t slot, Entry e) noexcept;

  std::vector<Entry> entries_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace lockstep::detail
