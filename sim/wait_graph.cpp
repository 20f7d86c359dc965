#include "sim/wait_graph.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

#include "runtime/misuse.hpp"
#include "runtime/seam.hpp"
#include "runtime/wait_edges.hpp"
#include "sim/simulation.hpp"

namespace lockstep::sim {

const WaitGraph::Fiber* WaitGraph::find(std::uint64_t id) const {
  auto it = std::lower_bound(fibers.begin(), fibers.end(), id, [](const Fiber& f, std::uint64_t v) { return f.id < v; });
  return it != fibers.end() && it->id == id ? &*it : nullptr;
}

WaitGraph wait_graph(SourceLocation where) {
  detail::Simulation* sim = detail::Simulation::on_this_thread();
  if (sim == nullptr) lockstep::detail::fail_misuse("sim::wait_graph() outside a simulation", nullptr, where);
  return sim->wait_graph();
}

}  // namespace lockstep::sim

namespace lockstep::sim::detail {
namespace {

// The operation behind each wait reason that names an object. A select's
// operations come from its cases instead.
struct ReasonOp {
  const char* reason;
  const char* op;
};
constexpr ReasonOp kReasonOps[] = {
    {"chan send", "send"},
    {"chan receive", "recv"},
    {"sync.Mutex.Lock", "lock"},
    {"sync.RWMutex.Lock", "lock"},
    {"sync.RWMutex.RLock", "rlock"},
    {"sync.Cond.Wait", "wait"},
    {"sync.WaitGroup.Wait", "wait"},
    {"sync.Once.Do", "wait"},
    {"semaphore acquire", "acquire"},
};

const char* op_of(std::string_view reason) {
  for (const ReasonOp& r : kReasonOps)
    if (reason == r.reason) return r.op;
  return "wait";
}

// name_of() is the dump's name of an object, its description up to the id:
// "mutex #3 held by fiber 5" -> "mutex #3", "chan<int> #2g cap=0 len=0" ->
// "chan<int> #2g". Every primitive's description starts that way.
std::string name_of(const std::string& description) {
  std::size_t hash = description.find(" #");
  if (hash == std::string::npos) return description;
  return description.substr(0, description.find(' ', hash + 1));
}

// Node numbering for the cycle search: fibers first, then objects.
class Nodes {
 public:
  explicit Nodes(const WaitGraph& g) : g_(g), succ_(g.fibers.size() + g.objects.size()) {
    std::size_t f = g.fibers.size();
    for (std::size_t i = 0; i < f; ++i)
      for (const WaitGraph::Wait& w : g.fibers[i].waits) succ_[i].push_back(f + w.object);
    for (std::size_t j = 0; j < g.objects.size(); ++j) {
      for (std::uint64_t id : g.objects[j].holders)
        if (std::size_t i = fiber_index(id); i < f) succ_[f + j].push_back(i);
    }
  }

  // cycles() is every strongly connected component of two nodes or more
  // (Tarjan's algorithm, iterative: a verdict is reached on a fiber's stack).
  std::vector<std::vector<std::uint64_t>> cycles() const {
    constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
    std::size_t n = succ_.size(), counter = 0;
    std::vector<std::size_t> index(n, kNone), low(n, 0), stack;
    std::vector<bool> on_stack(n, false);
    std::vector<std::pair<std::size_t, std::size_t>> calls;  // (node, next successor)
    std::vector<std::vector<std::uint64_t>> out;
    auto visit = [&](std::size_t v) {
      index[v] = low[v] = counter++;
      stack.push_back(v);
      on_stack[v] = true;
      calls.emplace_back(v, 0);
    };
    for (std::size_t root = 0; root < n; ++root) {
      if (index[root] != kNone) continue;
      visit(root);
      while (!calls.empty()) {
        std::size_t v = calls.back().first;
        if (std::size_t& next = calls.back().second; next < succ_[v].size()) {
          std::size_t w = succ_[v][next++];
          if (index[w] == kNone)
            visit(w);
          else if (on_stack[w])
            low[v] = std::min(low[v], index[w]);
          continue;
        }
        calls.pop_back();
        if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[v]);
        if (low[v] != index[v]) continue;
        std::vector<std::size_t> component;
        std::size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component.push_back(w);
        } while (w != v);
        if (component.size() < 2) continue;
        std::vector<std::uint64_t> ids;
        for (std::size_t c : component)
          if (c < g_.fibers.size()) ids.push_back(g_.fibers[c].id);
        std::sort(ids.begin(), ids.end());
        out.push_back(std::move(ids));
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::size_t fiber_index(std::uint64_t id) const {
    const WaitGraph::Fiber* f = g_.find(id);
    return f != nullptr ? static_cast<std::size_t>(f - g_.fibers.data()) : g_.fibers.size();
  }

  const WaitGraph& g_;
  std::vector<std::vector<std::size_t>> succ_;
};

}  // namespace

void WaitGraphBuilder::add(const TaskSnapshot& fiber, const lockstep::detail::Waitable* object) {
  WaitGraph::Fiber f;
  f.id = fiber.id;
  f.name = fiber.name;
  f.state = fiber.state;
  f.reason = fiber.reason;
  f.since = fiber.since;
  if (object != nullptr) {
    lockstep::detail::WaitEdges edges;
    object->wait_edges(edges);
    if (!edges.cases.empty()) {  // a select: it waits on its channels, not on itself
      for (const auto& c : edges.cases) f.waits.push_back({object_index(*c.chan), c.send ? "send" : "recv"});
    } else {
      std::size_t index = object_index(edges.target != nullptr ? *edges.target : *object);
      f.waits.push_back({index, op_of(fiber.reason), edges.weight});
    }
  }
  graph_.fibers.push_back(std::move(f));
}

std::size_t WaitGraphBuilder::object_index(const lockstep::detail::Waitable& object) {
  // Found by identity, numbered by first mention: no ordering by address.
  auto it = std::find(seen_.begin(), seen_.end(), &object);
  if (it != seen_.end()) return static_cast<std::size_t>(it - seen_.begin());
  WaitGraph::Object o;
  o.description = object.describe();
  o.name = name_of(o.description);
  lockstep::detail::WaitEdges edges;
  object.wait_edges(edges);
  o.holders = std::move(edges.holders);
  seen_.push_back(&object);
  graph_.objects.push_back(std::move(o));
  return graph_.objects.size() - 1;
}

WaitGraph WaitGraphBuilder::finish() && {
  graph_.cycles = Nodes(graph_).cycles();
  return std::move(graph_);
}

}  // namespace lockstep::sim::detail
