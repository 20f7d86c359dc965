// WaitGraph: who waits for whom in a simulation, built on every deadlock and
// leak verdict (Report::graph) and on demand (sim::wait_graph()).
//
// Nodes are the live fibers and the objects they wait on. A blocked fiber has
// an edge to each object it waits on, labelled with the operation (send,
// recv, lock, rlock, wait, acquire; one per case for a select). An object has
// an edge to each live fiber that holds it (a mutex's holder, a RWMutex's
// writer, a Once's runner). A channel has no such edge: a blocked sender and
// a blocked receiver never coexist on one channel (they would meet), so no
// fiber is ever blocked on the other side of a channel another fiber waits
// on; the text says instead that nobody can complete the wait. A strongly
// connected component of two nodes or more is a cycle: its fibers wait for
// each other.
//
// text() prints the cycles first, one line of sentences per cycle, then
// every other fiber and why it is stuck, naming fibers and objects as the
// dump does (an AB-BA lock order, sim/tests/wait_graph_test.cpp):
//
//   wait-for graph: 1 cycle
//     cycle 1: fiber 2 "ab" holds mutex #1 and waits to lock mutex #2 (since +1s); fiber 3 "ba" holds ...
//     fiber 1 "main" waits for waitgroup #3 (since +0s): no fiber can ever call done on waitgroup #3
//
// "can ever" is said only when the graph is `durable`: no fiber can run and
// no timer is pending, so nothing blocked will ever be woken (every deadlock
// verdict; a leak verdict unless a timer is pending). The graph knows who
// holds a lock, not who would use a channel later: a fiber that would receive
// once it got a mutex has no edge from the channel, so that chain is not a cycle.
// dot() is the graph in Graphviz DOT (wait and hold edges), cycles in red.
// Everything is ordered by fiber id, then by first mention, so the output is
// the same on every run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/clock.hpp"
#include "runtime/source_location.hpp"
#include "runtime/task_dump.hpp"

namespace lockstep::sim {

struct WaitGraph {
  // An object some fiber waits on.
  struct Object {
    std::string name;         // "mutex #1", "chan<bool> #3": the dump's name and id
    std::string description;  // the dump's text: "mutex #1 held by fiber 2"
    std::vector<std::uint64_t> holders;  // fiber ids, live or not
  };
  // One thing a blocked fiber waits for.
  struct Wait {
    std::size_t object = 0;  // index into `objects`
    const char* op = "";     // "send", "recv", "lock", "rlock", "wait", "acquire"
    std::int64_t weight = 0;  // units asked for by an acquire
  };
  struct Fiber {
    std::uint64_t id = 0;
    std::string name;
    TaskState state = TaskState::runnable;
    std::string reason;  // the wait reason, empty unless blocked or waiting
    TimePoint since;     // when it blocked
    std::vector<Wait> waits;  // several for a select, none for a sleep
  };

  std::vector<Fiber> fibers;    // every live fiber, by id
  std::vector<Object> objects;  // in order of first mention
  // Each cycle's fiber ids, ascending; cycles in order of their lowest id.
  std::vector<std::vector<std::uint64_t>> cycles;
  bool durable = false;  // nothing can run and no timer is pending
  TimePoint start = kSimulationEpoch;  // origin of the "+" times

  bool empty() const noexcept { return fibers.empty(); }
  // find() is the live fiber with that id, or null.
  const Fiber* find(std::uint64_t id) const;

  // text() is the sentences above, ending in a newline; empty if empty().
  std::string text() const;
  // dot() is the graph in Graphviz DOT.
  std::string dot() const;
};

// wait_graph() is the wait-for graph of the calling simulation now; the
// caller shows as running. Misuse outside a simulation.
WaitGraph wait_graph(SourceLocation where = SourceLocation::current());

}  // namespace lockstep::sim

namespace lockstep::detail {
class Waitable;
}

namespace lockstep::sim::detail {

// WaitGraphBuilder collects the live fibers in id order, then finish()
// resolves the objects' holders and finds the cycles.
class WaitGraphBuilder {
 public:
  explicit WaitGraphBuilder(bool durable) { graph_.durable = durable; }
  // add() adds a live fiber; `object` is what it waits on (may be null).
  void add(const TaskSnapshot& fiber, const lockstep::detail::Waitable* object);
  WaitGraph finish() &&;

 private:
  std::size_t object_index(const lockstep::detail::Waitable& object);

  WaitGraph graph_;
  std::vector<const lockstep::detail::Waitable*> seen_;  // parallel to graph_.objects
};

}  // namespace lockstep::sim::detail
