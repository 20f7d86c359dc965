// WaitEdges: what an object tells a wait-for graph (sim/wait_graph.hpp)
// beyond its description: which tasks hold it, and for a select, the channels
// it waits on and in which direction. Filled by Waitable::wait_edges() only
// when a graph is built, so keeping the fields costs the primitives nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace lockstep::detail {

class Waitable;

struct WaitEdges {
  // Tasks holding the object, by id: a mutex's holder, a RWMutex's writer, a
  // Once's runner. Readers of a RWMutex and semaphore units are counted, not
  // tracked by task, so they never appear here.
  std::vector<std::uint64_t> holders;
  // A select's channel cases, in case order; nil channels and default left out.
  struct Case {
    const Waitable* chan = nullptr;
    bool send = false;
  };
  std::vector<Case> cases;
  // A waiter that stands for its primitive (SyncWaiter) names the primitive
  // here, and what it asks for (Semaphore units; 0: nothing counted).
  const Waitable* target = nullptr;
  std::int64_t weight = 0;
};

}  // namespace lockstep::detail
