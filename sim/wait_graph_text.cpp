// WaitGraph::text() and WaitGraph::dot(): the graph as sentences and as DOT.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "sim/labels.hpp"
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

// A wait without an object, by its reason: what it is, and why it never
// ends (empty: it may, as a sleep does).
struct Objectless {
  const char* reason;
  const char* what;
  const char* why;
};
constexpr Objectless kObjectless[] = {
    {"sleep", "sleeps", ""},
    {"lockstep.sim.wait", "waits in sim::wait()", ""},
    {"chan send (nil chan)", "waits to send on a nil channel", "a nil channel is never ready"},
    {"chan receive (nil chan)", "waits to receive from a nil channel", "a nil channel is never ready"},
    {"select (no cases)", "waits in a select with no cases", "such a select never returns"},
};

const Objectless* objectless(const std::string& reason) {
  for (const Objectless& o : kObjectless)
    if (reason == o.reason) return &o;
  return nullptr;
}

bool parked(TaskState s) { return s == TaskState::blocked || s == TaskState::waiting; }

class Writer {
 public:
  explicit Writer(const WaitGraph& g) : g_(g) {}

  // fiber() is "fiber 2 "watch"", or "fiber 5" for one not live.
  std::string fiber(std::uint64_t id) const {
    const WaitGraph::Fiber* f = g_.find(id);
    return detail::fiber_label(id, f == nullptr ? std::string_view{} : std::string_view{f->name});
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
      const Objectless* o = objectless(f.reason);
      out += o != nullptr ? fmt::format(" {}", o->what) : fmt::format(" is blocked [{}]", f.reason);
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

  // why(): what keeps a fiber outside any cycle blocked, one clause per wait;
  // empty if the graph cannot tell.
  std::string why(const WaitGraph::Fiber& f) const {
    if (const Objectless* o = objectless(f.reason); f.waits.empty() && o != nullptr) return o->why;
    std::vector<std::string> clauses;
    for (const WaitGraph::Wait& w : f.waits) {
      const WaitGraph::Object& o = g_.objects[w.object];
      std::vector<std::string> by;
      for (std::uint64_t id : o.holders) by.push_back(g_.find(id) != nullptr ? fiber(id) : fiber(id) + ", which has exited");
      if (!by.empty()) {
        clauses.push_back(fmt::format("{} is held by {}", o.name, fmt::join(by, " and ")));
        if (g_.find(o.holders.front()) != nullptr) continue;  // the chain goes on at the holder
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
    for (std::uint64_t id : cycles[i]) sentences.push_back(w.sentence(*find(id)));
    out += fmt::format("  cycle {}: {}\n", i + 1, fmt::join(sentences, "; "));
  }
  for (const Fiber& f : fibers) {
    if (w.in_cycle(f.id)) continue;
    std::string why = parked(f.state) ? w.why(f) : std::string();
    out += "  " + w.sentence(f) + (why.empty() ? "\n" : ": " + why + "\n");
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
      if (find(id) != nullptr)
        out += fmt::format("  o{} -> f{} [label=\"held by\"];\n", j + 1, id);
  return out + "}\n";
}

}  // namespace lockstep::sim
