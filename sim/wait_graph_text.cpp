// WaitGraph::text() and WaitGraph::dot(): the graph as sentences and as DOT.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "sim/wait_graph.hpp"

namespace lockstep::sim {
namespace {

// How a wait reads, and what another fiber would have to do to end it.
struct OpText {
  const char* op;
  const char* reason;  // null: any reason with this op
  const char* verb;
  const char* wake;
};
constexpr OpText kOpTexts[] = {
    {"send", nullptr, "to send on", "receive from"},
    {"recv", nullptr, "to receive from", "send on"},
    {"lock", nullptr, "to lock", "unlock"},
    {"rlock", nullptr, "to read-lock", "unlock"},
    {"acquire", nullptr, "to acquire", "release"},
    {"wait", "sync.Cond.Wait", "to be signalled on", "signal"},
    {"wait", "sync.WaitGroup.Wait", "for", "call done on"},
    {"wait", "sync.Once.Do", "for", "finish"},
    {"wait", nullptr, "on", "end a wait on"},
};

const OpText& text_of(const WaitGraph::Wait& w, const std::string& reason) {
  for (const OpText& t : kOpTexts)
    if (std::strcmp(t.op, w.op) == 0 && (t.reason == nullptr || reason == t.reason)) return t;
  return kOpTexts[std::size(kOpTexts) - 1];
}

// A wait without an object, by its reason.
std::string objectless_wait(const std::string& reason) {
  if (reason == "sleep") return "sleeps";
  if (reason == "lockstep.sim.wait") return "waits in sim::wait()";
  if (reason == "chan send (nil chan)") return "waits to send on a nil channel, which is never ready";
  if (reason == "chan receive (nil chan)") return "waits to receive from a nil channel, which is never ready";
  if (reason == "select (no cases)") return "waits in a select with no cases, which never returns";
  return fmt::format("is blocked [{}]", reason);
}

bool parked(TaskState s) { return s == TaskState::blocked || s == TaskState::waiting; }

class Writer {
 public:
  explicit Writer(const WaitGraph& g) : g_(g) {}

  // fiber() is "fiber 2 "watch"", or "fiber 5" for one not live.
  std::string fiber(std::uint64_t id) const {
    const WaitGraph::Fiber* f = find(id);
    if (f == nullptr || f->name.empty()) return fmt::format("fiber {}", id);
    return fmt::format("fiber {} \"{}\"", id, f->name);
  }

  // sentence(): "fiber 2 "watch" holds mutex #1 and waits to send on chan<bool> #3 (since +3s)".
  std::string sentence(const WaitGraph::Fiber& f) const {
    std::string out = fiber(f.id);
    std::vector<std::string_view> held;
    for (const WaitGraph::Object& o : g_.objects)
      if (std::find(o.holders.begin(), o.holders.end(), f.id) != o.holders.end()) held.push_back(o.name);
    if (!held.empty()) out += fmt::format(" holds {} and", fmt::join(held, ", "));
    if (!parked(f.state)) return out + fmt::format(" is {}", to_string(f.state));
    if (f.waits.empty()) {
      out += " " + objectless_wait(f.reason);
    } else {
      std::vector<std::string> each;
      for (const WaitGraph::Wait& w : f.waits)
        each.push_back(w.weight > 0 ? fmt::format("{} {} of {}", text_of(w, f.reason).verb, w.weight, g_.objects[w.object].name)
                                    : fmt::format("{} {}", text_of(w, f.reason).verb, g_.objects[w.object].name));
      out += f.reason == "select" ? " waits in select " : " waits ";
      out += fmt::format("{}", fmt::join(each, " or "));
    }
    return out + fmt::format(" (since +{})", format_duration(f.since - g_.start));
  }

  // why(): what keeps a fiber outside any cycle blocked, one clause per wait.
  std::string why(const WaitGraph::Fiber& f) const {
    std::vector<std::string> clauses;
    for (const WaitGraph::Wait& w : f.waits) {
      const WaitGraph::Object& o = g_.objects[w.object];
      std::vector<std::string> by;
      for (std::uint64_t id : o.holders) by.push_back(find(id) != nullptr ? fiber(id) : fiber(id) + ", which has exited");
      if (!by.empty()) {
        clauses.push_back(fmt::format("{} is held by {}", o.name, fmt::join(by, " and ")));
        if (find(o.holders.front()) != nullptr) continue;  // the chain goes on at the holder
      }
      if (std::vector<std::string> other = other_side(f, w); !other.empty()) {
        clauses.push_back(fmt::format("{} on the other side", fmt::join(other, " and ")));
        continue;
      }
      const char* wake = text_of(w, f.reason).wake;
      if (g_.durable)
        clauses.push_back(fmt::format("no fiber can ever {} {}", wake, o.name));
      else
        clauses.push_back(fmt::format("no blocked fiber can {} {} (fibers or timers that can still run might)",
                                      wake, o.name));
    }
    return fmt::format("{}", fmt::join(clauses, "; "));
  }

  bool in_cycle(std::uint64_t id) const {
    return std::any_of(g_.cycles.begin(), g_.cycles.end(), [&](const auto& c) {
      return std::binary_search(c.begin(), c.end(), id);
    });
  }

 private:
  const WaitGraph::Fiber* find(std::uint64_t id) const {
    auto it = std::lower_bound(g_.fibers.begin(), g_.fibers.end(), id,
                               [](const WaitGraph::Fiber& f, std::uint64_t v) { return f.id < v; });
    return it != g_.fibers.end() && it->id == id ? &*it : nullptr;
  }
  // other_side(): the fibers blocked doing what would complete f's wait w.
  std::vector<std::string> other_side(const WaitGraph::Fiber& f, const WaitGraph::Wait& w) const {
    std::vector<std::string> out;
    if (!g_.objects[w.object].channel) return out;
    const char* other = std::strcmp(w.op, "send") == 0 ? "recv" : "send";
    for (const WaitGraph::Fiber& g : g_.fibers)
      for (const WaitGraph::Wait& v : g.waits)
        if (g.id != f.id && v.object == w.object && std::strcmp(v.op, other) == 0) out.push_back(fiber(g.id));
    return out;
  }

  const WaitGraph& g_;
};

// dot_string() quotes s for DOT.
std::string dot_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string WaitGraph::text() const {
  if (empty()) return {};
  Writer w(*this);
  std::string out = cycles.empty()
                        ? std::string("wait-for graph: no cycle\n")
                        : fmt::format("wait-for graph: {} cycle{}\n", cycles.size(), cycles.size() == 1 ? "" : "s");
  for (std::size_t i = 0; i < cycles.size(); ++i) {
    std::vector<std::string> sentences;
    for (std::uint64_t id : cycles[i])
      for (const Fiber& f : fibers)
        if (f.id == id) sentences.push_back(w.sentence(f));
    out += fmt::format("  cycle {}: {}\n", i + 1, fmt::join(sentences, "; "));
  }
  for (const Fiber& f : fibers) {
    if (w.in_cycle(f.id)) continue;
    out += "  " + w.sentence(f);
    if (!f.waits.empty()) out += ": " + w.why(f);
    out += "\n";
  }
  return out;
}

std::string WaitGraph::dot() const {
  Writer w(*this);
  std::string out = "digraph wait_for {\n";
  for (const Fiber& f : fibers) {
    std::string label = w.fiber(f.id) + "\n" + to_string(f.state);
    if (!f.reason.empty()) label += " [" + f.reason + "]";
    out += fmt::format("  f{} [shape=box, label={}{}];\n", f.id, dot_string(label),
                       w.in_cycle(f.id) ? ", color=red" : "");
  }
  for (std::size_t j = 0; j < objects.size(); ++j)
    out += fmt::format("  o{} [shape=ellipse, label={}];\n", j + 1, dot_string(objects[j].description));
  for (const Fiber& f : fibers)
    for (const Wait& x : f.waits) {
      std::string op = x.weight > 0 ? fmt::format("{} {}", x.op, x.weight) : std::string(x.op);
      out += fmt::format("  f{} -> o{} [label={}];\n", f.id, x.object + 1, dot_string(op));
    }
  for (std::size_t j = 0; j < objects.size(); ++j)
    for (std::uint64_t id : objects[j].holders)
      if (std::any_of(fibers.begin(), fibers.end(), [&](const Fiber& f) { return f.id == id; }))
        out += fmt::format("  o{} -> f{} [label=\"held by\"];\n", j + 1, id);
  return out + "}\n";
}

}  // namespace lockstep::sim
