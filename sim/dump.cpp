#include "sim/dump.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lockstep::sim {
namespace {

bool same_group(const FiberSnapshot& a, const FiberSnapshot& b) {
  return a.state == b.state && a.reason == b.reason && same_site(a.site, b.site) &&
         same_site(a.spawned_at, b.spawned_at);
}

std::string site_text(SourceLocation s) { return fmt::format("{}:{}", s.file_name(), s.line()); }

std::string group_header(const FiberSnapshot& f, std::size_t count) {
  std::string head = fmt::format("{} fiber{} {}", count, count == 1 ? "" : "s", to_string(f.state));
  if (f.state == FiberState::blocked || f.state == FiberState::waiting)
    head += fmt::format(" [{}] at {}", f.reason, site_text(f.site));
  else
    head += fmt::format(", last scheduling point at {}", site_text(f.site));
  return head + fmt::format(", spawned at {}", site_text(f.spawned_at));
}

std::string fiber_line(const FiberSnapshot& f, TimePoint start) {
  std::string line = f.name.empty() ? fmt::format("  fiber {}", f.id)
                                    : fmt::format("  fiber {} \"{}\"", f.id, f.name);
  if (!f.object.empty()) line += fmt::format(" on {}", f.object);
  if (f.state == FiberState::blocked || f.state == FiberState::waiting)
    line += fmt::format(" since +{}", format_duration(f.since - start));
  return line;
}

}  // namespace

std::string format_dump(const std::vector<FiberSnapshot>& fibers, TimePoint start, TimePoint now) {
  // Groups in order of first appearance; fibers arrive sorted by id.
  std::vector<std::vector<const FiberSnapshot*>> groups;
  for (const FiberSnapshot& f : fibers) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return same_group(*g.front(), f); });
    if (it == groups.end())
      groups.push_back({&f});
    else
      it->push_back(&f);
  }
  std::string out = fmt::format("goroutine dump at +{} ({}): {} fiber{} in {} group{}\n",
                                format_duration(now - start), format_time(now), fibers.size(),
                                fibers.size() == 1 ? "" : "s", groups.size(),
                                groups.size() == 1 ? "" : "s");
  for (const auto& g : groups) {
    out += group_header(*g.front(), g.size()) + "\n";
    for (std::size_t i = 0; i < g.size() && i < kDumpFibersPerGroup; ++i)
      out += fiber_line(*g[i], start) + "\n";
    if (g.size() > kDumpFibersPerGroup)
      out += fmt::format("  ... and {} more\n", g.size() - kDumpFibersPerGroup);
  }
  return out;
}

}  // namespace lockstep::sim
