// The HTML report's wait-for graph (html_report.hpp), laid out here with no
// graph library: each cycle first, as a ring that follows its edges (fiber,
// the object it waits on, that object's holder, ...), then every other fiber
// in a row with the objects it waits on to its right. Edges are straight:
// fiber -> object labelled with the operation, object -> holder "held by";
// a cycle's edges are red. Boxes are sized from the label's length at the
// page's monospace font (7 px per character).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <vector>

#include "sim/html_report.hpp"
#include "sim/labels.hpp"

namespace lockstep::sim::detail {
namespace {

constexpr double kCharWidth = 7.0, kBoxHeight = 24.0, kPad = 12.0;

struct Node {
  std::string label;
  bool fiber = false;
  bool in_cycle = false;
  double x = 0, y = 0;  // centre
  double half_width() const { return (static_cast<double>(label.size()) * kCharWidth + 2 * kPad) / 2; }
};

class GraphLayout {
 public:
  explicit GraphLayout(const WaitGraph& g) : g_(g) {
    fiber_node_.assign(g.fibers.size(), kNone);
    object_node_.assign(g.objects.size(), kNone);
  }

  std::string svg() {
    double y = 20;
    for (const auto& cycle : g_.cycles) y = ring(cycle, y) + 30;
    for (std::size_t f = 0; f < g_.fibers.size(); ++f) y = row(f, y);
    for (std::size_t o = 0; o < g_.objects.size(); ++o)  // waited on by a cycle's fiber, off its ring
      if (object_node_[o] == kNone) {
        std::size_t n = object_node(o, false);
        nodes_[n].x = 20 + nodes_[n].half_width();
        nodes_[n].y = y + kBoxHeight / 2;
        y += kBoxHeight + 12;
      }
    return render(y);
  }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};

  std::size_t fiber_index(std::uint64_t id) const {
    for (std::size_t i = 0; i < g_.fibers.size(); ++i)
      if (g_.fibers[i].id == id) return i;
    return kNone;
  }
  std::size_t add(std::string label, bool fiber, bool in_cycle) {
    nodes_.push_back({std::move(label), fiber, in_cycle});
    return nodes_.size() - 1;
  }
  std::size_t fiber_node(std::size_t f, bool in_cycle) {
    if (fiber_node_[f] == kNone) fiber_node_[f] = add(fiber_label(g_.fibers[f].id, g_.fibers[f].name), true, in_cycle);
    return fiber_node_[f];
  }
  std::size_t object_node(std::size_t o, bool in_cycle) {
    if (object_node_[o] == kNone) object_node_[o] = add(g_.objects[o].name, false, in_cycle);
    return object_node_[o];
  }

  // ring() places one cycle's fibers and the objects linking them on a
  // circle, in the order the edges go; returns the lowest y used.
  double ring(const std::vector<std::uint64_t>& ids, double top) {
    std::set<std::uint64_t> members(ids.begin(), ids.end());
    std::vector<std::size_t> order;
    std::set<std::uint64_t> visited;
    std::uint64_t at = ids.front();
    while (visited.insert(at).second) {
      std::size_t f = fiber_index(at);
      order.push_back(fiber_node(f, true));
      std::uint64_t next = 0;
      for (const WaitGraph::Wait& w : g_.fibers[f].waits)
        for (std::uint64_t h : g_.objects[w.object].holders)
          if (next == 0 && members.contains(h)) {
            order.push_back(object_node(w.object, true));
            next = h;
          }
      if (next == 0) break;
      at = next;
    }
    for (std::uint64_t id : ids)  // a member the walk did not reach
      if (!visited.contains(id)) order.push_back(fiber_node(fiber_index(id), true));
    double widest = 0;
    for (std::size_t n : order) widest = std::max(widest, nodes_[n].half_width());
    double radius = std::max(70.0, static_cast<double>(order.size()) * 28.0);
    double cx = 20 + widest + radius, cy = top + radius + kBoxHeight / 2;
    for (std::size_t k = 0; k < order.size(); ++k) {
      double angle = -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(order.size());
      nodes_[order[k]].x = cx + radius * std::cos(angle);
      nodes_[order[k]].y = cy + radius * std::sin(angle);
    }
    return cy + radius + kBoxHeight / 2;
  }

  // row() places a fiber not yet placed, and the objects it waits on that
  // are not yet placed, to its right; returns the next row's y.
  double row(std::size_t f, double y) {
    if (fiber_node_[f] != kNone) return y;
    std::size_t n = fiber_node(f, false);
    nodes_[n].x = 20 + nodes_[n].half_width();
    nodes_[n].y = y + kBoxHeight / 2;
    double oy = y;
    for (const WaitGraph::Wait& w : g_.fibers[f].waits) {
      if (object_node_[w.object] != kNone) continue;
      std::size_t o = object_node(w.object, false);
      nodes_[o].x = 20 + 2 * nodes_[n].half_width() + 120 + nodes_[o].half_width();
      nodes_[o].y = oy + kBoxHeight / 2;
      oy += kBoxHeight + 12;
    }
    return std::max(y + kBoxHeight + 12, oy);
  }

  // edge() draws a straight arrow between two boxes' borders.
  std::string edge(std::size_t from, std::size_t to, const std::string& label, bool cycle) const {
    const Node& a = nodes_[from];
    const Node& b = nodes_[to];
    double dx = b.x - a.x, dy = b.y - a.y;
    auto border = [&](const Node& n, double sx, double sy) {
      double tx = sx == 0 ? 1e9 : n.half_width() / std::abs(sx);
      double ty = sy == 0 ? 1e9 : (kBoxHeight / 2) / std::abs(sy);
      return std::min(tx, ty);
    };
    double ta = border(a, dx, dy), tb = 1 - border(b, dx, dy);
    double x1 = a.x + dx * ta, y1 = a.y + dy * ta, x2 = a.x + dx * tb, y2 = a.y + dy * tb;
    return fmt::format(
        "<g class=\"edge{}\"><line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" marker-end=\"url(#arrow)\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text></g>\n",
        cycle ? " cycle" : "", x1, y1, x2, y2, (x1 + x2) / 2, (y1 + y2) / 2 - 3, html_escape(label));
  }

  std::string render(double height) const {
    std::string edges, boxes;
    for (std::size_t f = 0; f < g_.fibers.size(); ++f)
      for (const WaitGraph::Wait& w : g_.fibers[f].waits) {
        std::string op = w.weight > 0 ? fmt::format("{} {}", w.op, w.weight) : std::string{w.op};
        std::size_t from = fiber_node_[f], to = object_node_[w.object];
        edges += edge(from, to, op, nodes_[from].in_cycle && nodes_[to].in_cycle);
      }
    for (std::size_t o = 0; o < g_.objects.size(); ++o)
      for (std::uint64_t h : g_.objects[o].holders)
        if (std::size_t f = fiber_index(h); f != kNone && object_node_[o] != kNone) {
          std::size_t from = object_node_[o], to = fiber_node_[f];
          edges += edge(from, to, "held by", nodes_[from].in_cycle && nodes_[to].in_cycle);
        }
    double width = 0;
    for (const Node& n : nodes_) {
      double hw = n.half_width();
      width = std::max(width, n.x + hw + 20);
      boxes += fmt::format(
          "<g class=\"node {}{}\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" rx=\"{}\"/>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text></g>\n",
          n.fiber ? "fiber" : "object", n.in_cycle ? " cycle" : "", n.x - hw, n.y - kBoxHeight / 2, 2 * hw,
          kBoxHeight, n.fiber ? 12 : 3, n.x, n.y + 4, html_escape(n.label));
    }
    return fmt::format(
        "<svg id=\"wait-graph\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\">\n"
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
        "orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\"/></marker></defs>\n{2}{3}</svg>\n",
        width, height + 10, edges, boxes);
  }

  const WaitGraph& g_;
  std::vector<Node> nodes_;
  std::vector<std::size_t> fiber_node_;   // by index in g_.fibers
  std::vector<std::size_t> object_node_;  // by index in g_.objects
};

}  // namespace

std::string wait_graph_svg(const WaitGraph& graph) {
  if (graph.empty()) return {};
  return GraphLayout(graph).svg();
}

}  // namespace lockstep::sim::detail
