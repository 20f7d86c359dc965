// TimerHeap: pending timers, earliest first (a simulation's, the M:N
// runtime's, and the real-thread runtime's timer thread's).
//
// Ordered by (when, add order): timers with equal deadlines fire in the order
// they were added, on every run and every machine (no address or hash
// decides).
//
// Operations: push() O(1), pop() amortized O(log of the deadline range),
// remove() O(1) amortized, earliest() amortized O(1), empty()/size() O(1).
//
// How: a radix heap (Ahuja et al.) with 8-bit digits, because timers are
// monotone: a new timer is never earlier than the last one popped. Each
// entry's key is the 96-bit number (when, add order). Level L holds the
// entries whose key first differs from the last popped key in byte L, in 256
// buckets by the value of that byte; so every entry of a lower level, or of a
// lower bucket of the same level, has a smaller key. push() appends to its
// bucket; pop() takes the smallest key of the lowest non-empty bucket and
// spreads that bucket's other entries over lower levels. An entry only ever
// moves down, at most 11 times, and about three times for a million random
// deadlines. Every pass is sequential over 24-byte entries and no TimerNode
// is touched but the one returned, which a binary heap's random sift paths
// cannot match at a million timers. That one is written (its slot), and at a
// million timers it is a cache and TLB miss, which would be half of a pop:
// so in a heap of kFetchFrom entries or more pop() prefetches the nodes of
// the next pops, up to kAhead of them (the entries of the lowest buckets,
// taken whole, are the next pops in some order), and the misses overlap
// instead of following one another.
//
// A key earlier than the last popped one (a real-time timer added already
// overdue) is treated as due at the last popped time: it fires next, after
// the overdue timers added before it.
//
// remove() is lazy: it clears the handle's bit in a live bitmap and leaves the
// entry where it is, dead; dead entries are dropped when their bucket is
// scanned, and all at once when they outnumber the live ones. The add order
// restarts from 0 (the pending timers renumbered in their order) when it
// would pass `order_limit`.
//
// Invariants: every live entry's key >= the last popped key, and it sits in
// the bucket of its highest byte differing from it (the one that byte
// selects); a pending node's `slot` is its handle, whose bit is set, and a
// dead entry's bit is clear until the entry leaves the heap and frees its
// handle. The prefetch frontier only ever makes pops faster: which nodes it
// fetched never changes what pops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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
  // Finding it drops dead entries, hence the mutable state.
  TimePoint earliest() const noexcept;

  // push() schedules `node` after every timer already added with the same
  // `when`; returns true if it is now the earliest. The node must not be
  // pending. Throws std::bad_alloc.
  bool push(TimerNode& node);
  // pop() removes and returns the earliest timer; the heap must not be empty.
  // It moves entries between buckets, whose capacity only grows: out of
  // memory there (not in steady state) terminates.
  TimerNode& pop() noexcept;
  // remove() unschedules a pending node; returns false if it was not pending.
  bool remove(TimerNode& node) noexcept;

 private:
  struct Entry {
    std::uint64_t when;  // the deadline's count, sign bit flipped: unsigned order is time order
    std::uint32_t order;
    std::uint32_t handle;
    TimerNode* node;
  };
  static constexpr std::size_t kLevels = 12;  // bytes of the 96-bit key
  static constexpr std::size_t kBuckets = kLevels * 256;

  using Bucket = std::vector<Entry>;
  std::size_t bucket_of(const Entry& e) const noexcept;
  Bucket& bucket(std::size_t b) const noexcept;
  template <class F>
  void for_each_occupied(F f) const;
  bool before(const Entry& a, const Entry& b) const noexcept {
    return a.when < b.when || (a.when == b.when && a.order < b.order);
  }
  bool live(std::uint32_t handle) const noexcept { return (live_bits_[handle / 64] >> (handle % 64)) & 1; }
  void kill(std::uint32_t handle) noexcept { live_bits_[handle / 64] &= ~(std::uint64_t{1} << (handle % 64)); }
  std::uint32_t new_handle();
  std::size_t put(const Entry& e) const noexcept;  // returns its bucket
  void find_min() const noexcept;
  void compact() noexcept;
  void fetch_ahead() noexcept;
  void renumber();

  // Mutable: earliest() drops dead entries and remembers the minimum.
  // Storage for kBuckets buckets (72 KiB), allocated at the first push and
  // never zeroed: a bucket is constructed when first used (built_), so a
  // short simulation with a few timers pays for the few it uses, not 3,072.
  mutable std::unique_ptr<std::byte[]> bucket_storage_;
  mutable std::uint64_t built_[kBuckets / 64] = {};      // bit b: bucket b is constructed
  mutable std::uint64_t occupied_[kBuckets / 64] = {};  // bit b: buckets_[b] is not empty
  mutable bool min_known_ = false;
  mutable std::size_t min_bucket_ = 0;  // where the earliest live entry is, when known
  mutable Entry min_{};
  // The prefetch frontier (fetch_ahead()): the buckets below ahead_bucket_
  // hold ahead_ entries, whose nodes were prefetched or pushed since. 8 in
  // flight measured faster than 16 or 32 (bench/sim_bench Timers). Below
  // kFetchFrom entries the nodes are likely cached and the walk costs more
  // than it saves: a pop and a re-arming push among 10,000 random timers took
  // 64 ns with it and 58 without; among 100,000, 111 with it and 134 without.
  static constexpr std::size_t kAhead = 8;
  static constexpr std::size_t kFetchFrom = 16384;
  std::size_t ahead_bucket_ = 0;
  mutable std::size_t ahead_ = 0;
  std::uint64_t last_when_ = 0;  // the last popped key (when, order)
  std::uint32_t last_order_ = 0;
  std::size_t live_ = 0;
  mutable std::size_t dead_ = 0;
  std::uint32_t handles_ = 0;                        // handles ever made; each is below it
  std::vector<std::uint64_t> live_bits_;             // by handle: set while its timer is pending
  mutable std::vector<std::uint32_t> free_handles_;  // LIFO, so the bitmap stays small and warm
  std::uint64_t next_seq_ = 0;                       // TimerNode::seq, for logs: never restarts
  std::uint32_t next_order_ = 0;                     // the key's add order: restarts at renumber()
  std::uint32_t order_limit_;
};

}  // namespace lockstep::detail
