// Footprints: which object each primitive operation touches, told to a
// listener only while one is installed on the thread (the systematic search,
// sim/dfs_run.hpp, which needs it for partial-order reduction).
//
// Every operation of a primitive that has an Owner calls Owner::check() on
// the object it is about to use (a select, on each case's channel), and
// Atomic<T> reports its own accesses; check() calls touched() for it. The
// object is named by its address only for the listener to look up its own
// per-run id: no decision ever depends on the address's value.
//
// Cost without a listener: one thread-local load and a predictable branch
// per operation.
#pragma once

namespace lockstep::detail {

// Access: a read commutes with other reads of the same object; a write with
// nothing on that object. Only Atomic<T>::load() reads; every other operation
// counts as a write (a mutex's lock, a channel's receive: each changes state).
enum class Access : unsigned char { read, write };

class FootprintListener {
 public:
  virtual void touched(const void* object, Access access) = 0;

 protected:
  ~FootprintListener() = default;
};

// The listener of the calling thread, or null. Set by the systematic search
// around each of its runs.
constinit inline thread_local FootprintListener* footprint_listener = nullptr;

inline void touched(const void* object, Access access) {
  if (footprint_listener != nullptr) [[unlikely]]
    footprint_listener->touched(object, access);
}

}  // namespace lockstep::detail
