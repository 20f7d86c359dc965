// WaitGraph: who waits for whom in a simulation, built on every deadlock and
// leak verdict (Report::graph) and on demand (sim::wait_graph()).
//
// Nodes are the live fibers and the objects they wait on. A blocked fiber has
// an edge to each object it waits on, labelled with the operation (send,
// recv, lock, rlock, wait, acquire; one per case for a select). An object has
// an edge to each live fiber that holds it (a mutex's holder, a RWMutex's
// writer, a Once's runner) and, for a channel, to each fiber blocked on its
// other side. A strongly connected component of two nodes or more is a
// cycle: its fibers wait for each other.
//
// text() prints the cycles first, one sentence per fiber, then every other
// fiber and why it is stuck, naming fibers and objects as the dump does:
//
//   wait-for graph: 1 cycle
//     cycle 1: fiber 2 "a" holds mutex #1 and waits to lock mutex #2 (since +0s);
//              fiber 3 "b" holds mutex #2 and waits to lock mutex #1 (since +0s)
//     fiber 1 "main" waits on waitgroup #3 (since +0s): no fiber can ever call done on waitgroup #3
//
// "can ever" is said only when the graph is `durable`: no fiber can run and
// no timer is pending, so nothing blocked will ever be woken (every deadlock
// verdict; a leak verdict unless a timer is pending). dot() is the graph in
// Graphviz DOT, cycles in red. Everything is ordered by fiber id, then by
// first mention, so the output is the same on every run.
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
    bool channel = false;
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
  // other_side() is the fibers other than `fiber` blocked on the channel of
  // `wait` doing what would complete it (sending, for a recv); empty unless
  // the wait is on a channel.
  std::vector<std::uint64_t> other_side(std::uint64_t fiber, const Wait& wait) const;
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
