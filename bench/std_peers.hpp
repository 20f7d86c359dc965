// std_peers: the std:: counterparts of lockstep's channels in the real-mode
// benchmarks (threads_bench, real_bench), written the classic way with one
// std::mutex and std::condition_variable.
//
//   Slot          a one-value hand-off (an unbuffered channel's peer):
//                 put() blocks while full, take() blocks while empty.
//   BoundedQueue  a FIFO of at most `capacity` values (a buffered channel's
//                 peer): push() blocks while full, pop() blocks while empty
//                 and returns false once closed and drained; close() wakes
//                 every consumer.
//   contend()     `rounds` lock, increment, unlock rounds of one mutex split
//                 over `threads` std::threads (a contended mutex's workload).
//
// Header-only, benchmark support: not part of the library.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace lockstep::bench {

class Slot {
 public:
  // put() blocks until the slot is empty, then fills it.
  void put(int v) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !full_; });
    value_ = v;
    full_ = true;
    cv_.notify_all();
  }
  // take() blocks until the slot is full, then empties it and returns the value.
  int take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_; });
    full_ = false;
    cv_.notify_all();
    return value_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;  // both directions: notify_all
  bool full_ = false;           // Guarded by mu_.
  int value_ = 0;               // Guarded by mu_.
};

class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}
  // push() blocks while the queue holds `capacity` values, then appends v.
  void push(int v) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(v);
    not_empty_.notify_one();
  }
  // pop() blocks until a value or the close; false once closed and drained.
  bool pop(int& v) {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return false;
    v = items_.front();
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  // close() never blocks: consumers drain what is left, then pop() fails.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<int> items_;  // Guarded by mu_.
  bool closed_ = false;    // Guarded by mu_.
};

// contend() blocks until every round is done; returns the counter (rounds,
// rounded down to a multiple of threads).
template <class M>
long contend(M& mu, int threads, int rounds) {
  long counter = 0;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < rounds / threads; ++i) {
        std::lock_guard lock(mu);
        ++counter;
      }
    });
  for (auto& t : pool) t.join();
  return counter;
}

}  // namespace lockstep::bench
