#include "sim/dfs_run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "runtime/misuse.hpp"
#include "runtime/seam.hpp"

namespace lockstep::sim::detail {

using lockstep::detail::Access;

namespace {

constinit thread_local DfsRun* installed_run = nullptr;

std::uint32_t entry(const std::vector<std::uint32_t>& clock, std::uint64_t fiber) {
  return fiber < clock.size() ? clock[fiber] : 0;
}

void join(std::vector<std::uint32_t>& into, const std::vector<std::uint32_t>& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (std::size_t i = 0; i < from.size(); ++i) into[i] = std::max(into[i], from[i]);
}

std::ptrdiff_t index_of(const DfsNode& node, std::uint64_t fiber) {
  auto it = std::find(node.fibers.begin(), node.fibers.end(), fiber);
  return it == node.fibers.end() ? -1 : it - node.fibers.begin();
}

bool sleeps_in(const std::vector<Sleeper>& sleep, std::uint64_t fiber) {
  return std::any_of(sleep.begin(), sleep.end(), [&](const Sleeper& s) { return s.fiber == fiber; });
}

class DfsDecider final : public Decider {
 public:
  explicit DfsDecider(DfsRun& run) : run_(run) {}
  std::int64_t on_spawn(std::uint64_t id) override { return run_.spawned(id); }
  bool observes() const noexcept override { return true; }
  std::int64_t on_ready(std::uint64_t id, std::int64_t priority) override {
    run_.readied(id);
    return priority;
  }
  void on_time_moved() override { run_.time_moved(); }
  std::size_t pick(const std::int64_t* fibers, std::size_t n) override { return run_.pick(fibers, n); }
  std::size_t choose(std::size_t n) override { return run_.choose(n); }
  std::size_t choose_rarely() override { return run_.choose(2); }

 private:
  DfsRun& run_;
};

}  // namespace

// ---- the tree -----------------------------------------------------------------

unsigned DfsTree::cost(const DfsNode& n, std::size_t alternative) const noexcept {
  if (alternative == 0) return 0;
  return limits_.kind == Bound::delays || n.preemptible ? 1 : 0;
}

bool DfsTree::next(bool skip_unit) {
  std::size_t fixed = limits_.prefix.size();
  if (skip_unit)
    while (path_.size() > std::max(fixed, limits_.split_depth)) path_.pop_back();
  while (path_.size() > fixed) {
    DfsNode& n = path_.back();
    for (std::uint32_t a = 0; a < n.n; ++a)
      if (n.backtrack[a] && !n.done[a]) {
        n.chosen = a;
        n.done[a] = 1;
        unit_changed_ = path_.size() <= limits_.split_depth;
        return true;
      }
    if (!n.full)
      for (std::uint32_t a = 0; a < n.n; ++a) pruned_ += !n.done[a] && affordable(n, a) ? 1 : 0;
    path_.pop_back();
  }
  return false;
}

// ---- one run ------------------------------------------------------------------

DfsRun::DfsRun(DfsTree& tree)
    : tree_(tree), outer_(installed_run), outer_listener_(lockstep::detail::footprint_listener) {
  installed_run = this;
  lockstep::detail::footprint_listener = this;
}

DfsRun::~DfsRun() {
  end_event();
  installed_run = outer_;
  lockstep::detail::footprint_listener = outer_listener_;
}


std::vector<std::uint32_t>& DfsRun::clock(std::uint64_t fiber) {
  if (clocks_.size() <= fiber) clocks_.resize(fiber + 1);
  return clocks_[fiber];
}

std::uint64_t DfsRun::running() const { return lockstep::detail::current_runtime()->current().id; }

// spawned() makes the new fiber's id its PCT "priority", which carries it to
// pick(). The child's clock starts from its parent's event.
std::int64_t DfsRun::spawned(std::uint64_t child) {
  if (std::uint64_t parent = running(); parent != 0) {
    if (current_ < 0 || events_[current_].fiber != parent) begin_event(parent, -1);
    std::vector<std::uint32_t> from = clock(parent);
    clock(child) = std::move(from);
  }
  return static_cast<std::int64_t>(child);
}

// arrive() is the decision at this depth: the path's, when replaying it;
// else a new node, taking the first affordable alternative whose fiber is
// not asleep (the default, 0, when it can).
DfsNode& DfsRun::arrive(std::size_t n, const std::int64_t* fibers) {
  std::size_t d = depth_++;
  auto& path = tree_.path();
  const DfsLimits& limits = tree_.limits();
  std::vector<std::uint64_t> ids;
  if (fibers != nullptr)
    for (std::size_t i = 0; i < n; ++i) ids.push_back(static_cast<std::uint64_t>(fibers[i]));
  if (d < path.size()) {
    DfsNode& node = path[d];
    if (diverged_.empty() && node.n != n)
      diverged_ = fmt::format("decision {} had {} alternatives on an earlier run and {} now", d + 1, node.n, n);
    else if (diverged_.empty() && node.fibers != ids)
      diverged_ = fmt::format("decision {} chose among fibers {} on an earlier run and {} now", d + 1,
                              fmt::join(node.fibers, ","), fmt::join(ids, ","));
    sleep_ = node.sleep;
    return node;
  }
  DfsNode node;
  node.n = static_cast<std::uint32_t>(n);
  node.fibers = std::move(ids);
  node.preemptible = fibers != nullptr && node.fibers[0] == running();
  node.full = fibers == nullptr || !limits.reduce || d < limits.split_depth;
  node.cost_before = cost_;
  node.sleep = sleep_;
  node.backtrack.assign(n, 0);
  node.done.assign(n, 0);
  node.explored.resize(fibers != nullptr ? n : 0);
  std::uint32_t a = 0;
  if (d < limits.prefix.size()) {
    a = limits.prefix[d] % node.n;
  } else {
    auto usable = [&](std::uint32_t i) {
      return tree_.affordable(node, i) && (node.fibers.empty() || !sleeps_in(sleep_, node.fibers[i]));
    };
    while (a < node.n && !usable(a)) ++a;
    if (a == node.n) a = 0;  // everything runnable sleeps: a redundant run
    if (node.full)
      for (std::uint32_t i = 0; i < node.n; ++i) node.backtrack[i] = usable(i) ? 1 : 0;
  }
  node.backtrack[a] = node.done[a] = 1;
  node.chosen = a;
  path.push_back(std::move(node));
  return path.back();
}

std::size_t DfsRun::pick(const std::int64_t* fibers, std::size_t n) {
  DfsNode& node = arrive(n, fibers);
  std::size_t d = depth_ - 1;
  std::uint32_t a = node.chosen;
  cost_ += tree_.cost(node, a);
  enter_subtree(node);
  begin_event(node.fibers[a], static_cast<std::ptrdiff_t>(d));
  return a % n;  // a diverged replay (reported as misuse) may offer fewer now
}

std::size_t DfsRun::choose(std::size_t n) {
  DfsNode& node = arrive(n, nullptr);
  std::uint32_t a = node.chosen;
  cost_ += tree_.cost(node, a);
  return a % n;  // a diverged replay (reported as misuse) may offer fewer now
}

// enter_subtree() sets the sleep set below the chosen alternative: the
// node's, plus the alternatives explored there before it.
void DfsRun::enter_subtree(DfsNode& node) {
  std::uint64_t chosen = node.fibers[node.chosen];
  if (!node.full)
    for (std::uint32_t b = 0; b < node.n; ++b)
      if (b != node.chosen && node.done[b] && !sleeps_in(sleep_, node.fibers[b]))
        sleep_.push_back({node.fibers[b], node.explored[b]});
  std::erase_if(sleep_, [&](const Sleeper& s) { return s.fiber == chosen; });
}

void DfsRun::begin_event(std::uint64_t fiber, std::ptrdiff_t node) {
  end_event();
  auto& c = clock(fiber);
  if (c.size() <= fiber) c.resize(fiber + 1, 0);
  events_.push_back({fiber, node, ++c[fiber]});
  current_ = static_cast<std::ptrdiff_t>(events_.size()) - 1;
}

void DfsRun::end_event() {
  if (current_ < 0) return;
  const Event& e = events_[current_];
  if (e.node >= 0) {
    DfsNode& node = tree_.path()[e.node];
    node.explored[node.chosen] = std::move(footprint_);
  }
  footprint_.clear();
  current_ = -1;
}

void DfsRun::touched(const void* object, Access access) {
  std::uint64_t f = running();
  if (f == 0) return;
  if (current_ < 0 || events_[current_].fiber != f) begin_event(f, -1);
  auto [it, fresh] = ids_.try_emplace(object, static_cast<std::uint32_t>(objects_.size()));
  if (fresh) objects_.emplace_back();
  std::uint32_t id = it->second;
  Object& o = objects_[id];
  auto& c = clock(f);
  auto check = [&](std::ptrdiff_t e) {
    const Event& ev = events_[e];
    if (ev.fiber != f && entry(c, ev.fiber) < ev.seq) race(e, f);
  };
  bool write = access == Access::write;
  if (o.last_write >= 0) check(o.last_write);
  if (write)
    for (std::ptrdiff_t r : o.reads) check(r);
  join(c, write ? o.all_clock : o.write_clock);
  if (write) {
    o.last_write = current_;
    o.reads.clear();
    o.write_clock = c;
    o.all_clock = c;
  } else {
    o.reads.push_back(current_);
    join(o.all_clock, c);
  }
  if (footprint_.empty() || footprint_.back().object != id || footprint_.back().access != access)
    footprint_.push_back({id, access});
  std::erase_if(sleep_, [&](const Sleeper& s) {
    return std::any_of(s.next.begin(), s.next.end(),
                       [&](const Touch& t) { return t.object == id && (write || t.access == Access::write); });
  });
}

// race() reverses a race between the event `earlier` and `fiber`'s running
// event: at the decision before `earlier`, `fiber` (or, if it was not
// runnable there, every fiber that was) becomes an alternative.
void DfsRun::race(std::ptrdiff_t earlier, std::uint64_t fiber) {
  const Event& e = events_[earlier];
  if (e.node < 0) return;  // nobody else could run there
  auto node = static_cast<std::size_t>(e.node);
  const DfsNode& n = tree_.path()[node];
  if (index_of(n, fiber) >= 0) {
    add_backtrack(node, fiber, e.fiber);
    return;
  }
  for (std::uint64_t other : std::vector<std::uint64_t>(n.fibers)) add_backtrack(node, other, e.fiber);
}

// add_backtrack() makes `fiber` an alternative at `node`. If the bound
// cannot afford it there, it walks back to the nearest earlier decision
// that can either run `fiber` or, for free, run `first` (the fiber of the
// race's earlier event) sooner, so that a cheaper path reaches the reversal.
void DfsRun::add_backtrack(std::size_t node, std::uint64_t fiber, std::uint64_t first) {
  auto& path = tree_.path();
  std::size_t fixed = tree_.limits().prefix.size();
  if (node < fixed) return;
  {
    DfsNode& n = path[node];
    auto a = static_cast<std::size_t>(index_of(n, fiber));
    if (n.backtrack[a] || sleeps_in(n.sleep, fiber)) return;
    if (tree_.affordable(n, a)) {
      n.backtrack[a] = 1;
      return;
    }
  }
  auto try_add = [&](DfsNode& n, std::uint64_t f, bool free_only) {
    std::ptrdiff_t a = index_of(n, f);
    if (a < 0 || n.backtrack[a] || sleeps_in(n.sleep, f)) return false;
    auto i = static_cast<std::size_t>(a);
    if (!tree_.affordable(n, i) || (free_only && tree_.cost(n, i) != 0)) return false;
    n.backtrack[a] = 1;
    return true;
  };
  for (std::size_t h = node; h-- > fixed;)
    if (try_add(path[h], fiber, false) || try_add(path[h], first, true)) return;
}

void DfsRun::readied(std::uint64_t fiber) {
  std::uint64_t waker = running();
  if (waker == 0) return;
  if (current_ < 0 || events_[current_].fiber != waker) begin_event(waker, -1);
  std::vector<std::uint32_t> from = clock(waker);
  join(clock(fiber), from);
}

void DfsRun::time_moved() {
  end_event();
  std::vector<std::uint32_t> all;
  for (const auto& c : clocks_) join(all, c);
  for (auto& c : clocks_) c = all;
}

std::unique_ptr<Decider> make_dfs_decider() {
  if (installed_run == nullptr)
    lockstep::detail::fail_misuse(
        "Strategy::dfs() runs only under sim::explore_dfs(), which makes its decisions", nullptr,
        SourceLocation::current());
  return std::make_unique<DfsDecider>(*installed_run);
}

}  // namespace lockstep::sim::detail
