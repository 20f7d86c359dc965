#include "runtime/timer_heap.hpp"

#include <algorithm>
#include <bit>
#include <new>

namespace lockstep::detail {
namespace {

constexpr std::uint64_t kSign = std::uint64_t{1} << 63;

std::uint64_t biased(TimePoint t) noexcept { return static_cast<std::uint64_t>(t.time_since_epoch().count()) ^ kSign; }

}  // namespace

TimerHeap::~TimerHeap() {
  for (std::size_t word = 0; word < kBuckets / 64; ++word)
    for (std::uint64_t bits = built_[word]; bits != 0; bits &= bits - 1)
      std::destroy_at(&bucket(word * 64 + static_cast<std::size_t>(std::countr_zero(bits))));
}

TimerHeap::Bucket& TimerHeap::bucket(std::size_t b) const noexcept {
  auto* at = reinterpret_cast<Bucket*>(bucket_storage_.get()) + b;
  if ((built_[b / 64] >> (b % 64)) & 1) return *std::launder(at);
  built_[b / 64] |= std::uint64_t{1} << (b % 64);
  return *new (at) Bucket();
}

[[gnu::always_inline]] inline std::size_t TimerHeap::put(const Entry& e) const noexcept {
  std::size_t b = bucket_of(e);
  bucket(b).push_back(e);
  occupied_[b / 64] |= std::uint64_t{1} << (b % 64);
  return b;
}

TimePoint TimerHeap::earliest() const noexcept {
  if (!min_known_) find_min();
  return TimePoint{Duration{static_cast<std::int64_t>(min_.when ^ kSign)}};
}

bool TimerHeap::push(TimerNode& node) {
  if (bucket_storage_ == nullptr) bucket_storage_.reset(new std::byte[kBuckets * sizeof(Bucket)]);
  if (next_order_ == order_limit_) renumber();
  if (live_ > 0 && !min_known_) find_min();
  if (free_handles_.empty() && handles_ % 64 == 0) {  // may throw: before any change
    live_bits_.push_back(0);
    // So freeing a handle never allocates; doubling, so pushes stay O(1).
    if (std::size_t need = std::size_t{handles_} + 64; free_handles_.capacity() < need)
      free_handles_.reserve(std::max(2 * free_handles_.capacity(), need));
  }
  Entry e{biased(node.when), next_order_, 0, &node};
  if (e.when < last_when_) e.when = last_when_;  // overdue (real time only): due now, after the others
  Bucket& to = bucket(bucket_of(e));
  if (to.size() == to.capacity()) to.reserve(std::max<std::size_t>(16, 2 * to.size()));  // may throw: still before any change
  e.handle = new_handle();
  live_bits_[e.handle / 64] |= std::uint64_t{1} << (e.handle % 64);
  node.slot = e.handle;
  node.seq = next_seq_++;
  ++next_order_;
  const std::size_t b = put(e);
  if (b < ahead_bucket_) ++ahead_;  // its node was just written: no fetch needed
  bool earliest = ++live_ == 1 || before(e, min_);
  if (earliest) {
    min_ = e;
    min_bucket_ = b;
    min_known_ = true;
  }
  return earliest;
}

TimerNode& TimerHeap::pop() noexcept {
  if (!min_known_) find_min();
  const Entry top = min_;
  const std::size_t b = min_bucket_;
  last_when_ = top.when;
  last_order_ = top.order;
  // Every other entry of the bucket shares the top's bytes from the bucket's
  // level up, so each lands on a lower level; the other buckets keep theirs.
  Bucket& from = bucket(b);
  std::size_t moved = 0;
  for (const Entry& e : from) {
    if (e.handle == top.handle) continue;
    if (live(e.handle)) {
      put(e);
      ++moved;
    } else {
      free_handles_.push_back(e.handle);
      --dead_;
    }
  }
  if (b < ahead_bucket_) {  // the moved entries stay below the frontier
    ahead_ -= from.size() - moved;
  } else {  // they went below it unfetched
    ahead_bucket_ = 0;
    ahead_ = 0;
  }
  from.clear();
  occupied_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  kill(top.handle);
  free_handles_.push_back(top.handle);
  min_known_ = false;
  if (--live_ > 0) {
    find_min();
    if (live_ + dead_ >= kFetchFrom) fetch_ahead();
  }
  top.node->slot = TimerNode::kNotPending;
  return *top.node;
}

// fetch_ahead() prefetches the nodes of the next pops, so that the write to
// each popped node (its slot) does not wait for memory: every entry of a
// bucket pops before any entry of a higher bucket, so the entries of the
// lowest buckets, taken whole, are the next pops in some order. It moves the
// frontier up over whole buckets while they fit in kAhead; a bucket too big
// to fetch whole is spread over lower ones when it is popped from, and the
// frontier restarts below it. It stops when no entry is left above the
// frontier, so it never scans the empty buckets past the last one.
void TimerHeap::fetch_ahead() noexcept {
  while (ahead_ < kAhead && ahead_ < live_ + dead_) {
    std::size_t word = ahead_bucket_ / 64;
    if (word == kBuckets / 64) return;
    std::uint64_t bits = occupied_[word] & (~std::uint64_t{0} << (ahead_bucket_ % 64));
    while (bits == 0) {
      if (++word == kBuckets / 64) return;
      bits = occupied_[word];
    }
    std::size_t next = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
    const Bucket& entries = bucket(next);
    if (ahead_ + entries.size() > kAhead) return;
    for (const Entry& e : entries) __builtin_prefetch(e.node, 1);
    ahead_ += entries.size();
    ahead_bucket_ = next + 1;
  }
}

bool TimerHeap::remove(TimerNode& node) noexcept {
  if (!node.pending()) return false;
  kill(node.slot);  // its entry is dead from now on
  if (min_known_ && min_.handle == node.slot) min_known_ = false;
  node.slot = TimerNode::kNotPending;
  --live_;
  if (++dead_ > live_ + 64) compact();
  return true;
}

// bucket_of(): the level is the highest byte in which e's key differs from
// the last popped key (keys read as 96-bit numbers, when above, add order
// below); the bucket within it is e's value of that byte.
std::size_t TimerHeap::bucket_of(const Entry& e) const noexcept {
  if (e.when != last_when_) {
    std::size_t bit = 63 - static_cast<std::size_t>(std::countl_zero(e.when ^ last_when_));
    std::size_t level = 4 + bit / 8;
    return level * 256 + ((e.when >> (bit / 8 * 8)) & 255);
  }
  std::uint32_t diff = e.order ^ last_order_;
  std::size_t level = diff == 0 ? 0 : (31 - static_cast<std::size_t>(std::countl_zero(diff))) / 8;
  return level * 256 + ((e.order >> (level * 8)) & 255);
}

std::uint32_t TimerHeap::new_handle() {
  if (free_handles_.empty()) return handles_++;
  std::uint32_t handle = free_handles_.back();
  free_handles_.pop_back();
  return handle;
}

// find_min() finds the earliest live entry: in the lowest bucket that has a
// live one (the ones below it hold only dead entries, dropped on the way).
void TimerHeap::find_min() const noexcept {
  for (;;) {
    std::size_t word = 0;
    while (occupied_[word] == 0) ++word;
    std::size_t b = word * 64 + static_cast<std::size_t>(std::countr_zero(occupied_[word]));
    Bucket& entries = bucket(b);
    std::size_t kept = 0;
    for (const Entry& e : entries) {
      if (!live(e.handle)) {
        free_handles_.push_back(e.handle);
        --dead_;
        continue;
      }
      if (kept == 0 || before(e, min_)) min_ = e;
      entries[kept++] = e;
    }
    if (b < ahead_bucket_) ahead_ -= entries.size() - kept;
    entries.resize(kept);
    if (kept > 0) {
      min_bucket_ = b;
      min_known_ = true;
      return;
    }
    occupied_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  }
}

// for_each_occupied() calls f(b) for each non-empty bucket b, lowest first;
// f may empty it.
template <class F>
void TimerHeap::for_each_occupied(F f) const {
  for (std::size_t word = 0; word < kBuckets / 64; ++word)
    for (std::uint64_t bits = occupied_[word]; bits != 0; bits &= bits - 1)
      f(word * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
}

// compact() drops every dead entry.
void TimerHeap::compact() noexcept {
  for_each_occupied([this](std::size_t b) {
    Bucket& entries = bucket(b);
    std::size_t kept = 0;
    for (const Entry& e : entries) {
      if (live(e.handle))
        entries[kept++] = e;
      else
        free_handles_.push_back(e.handle);
    }
    entries.resize(kept);
    if (kept == 0) occupied_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  });
  dead_ = 0;
  ahead_bucket_ = 0;  // restart the frontier rather than count what left
  ahead_ = 0;
}

// renumber() restarts the add order: in (when, order) order, the pending
// timers get orders 0, 1, 2...; the last popped key becomes (its when, 0),
// still no later than any of them.
void TimerHeap::renumber() {
  compact();
  std::vector<Entry> pending;
  pending.reserve(live_);
  for_each_occupied([&](std::size_t b) {
    pending.insert(pending.end(), bucket(b).begin(), bucket(b).end());
    bucket(b).clear();
  });
  std::fill(std::begin(occupied_), std::end(occupied_), 0);
  std::sort(pending.begin(), pending.end(), [this](const Entry& a, const Entry& b) { return before(a, b); });
  last_order_ = 0;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    pending[i].order = static_cast<std::uint32_t>(i);
    put(pending[i]);
  }
  next_order_ = static_cast<std::uint32_t>(pending.size());
  min_known_ = false;
}

}  // namespace lockstep::detail
