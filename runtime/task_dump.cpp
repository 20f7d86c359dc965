#include "runtime/task_dump.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace lockstep {

std::string to_string(TaskState s) {
  switch (s) {
    case TaskState::running: return "running";
    case TaskState::runnable: return "runnable";
    case TaskState::blocked: return "blocked";
    case TaskState::waiting: return "waiting";
  }
  return "?";
}

namespace {

bool same_group(const TaskSnapshot& a, const TaskSnapshot& b) {
  return std::string_view(a.kind != nullptr ? a.kind : "") == (b.kind != nullptr ? b.kind : "") &&
         a.state == b.state && a.reason == b.reason && same_site(a.site, b.site) &&
         same_site(a.spawned_at, b.spawned_at);
}

std::string site_text(SourceLocation s) { return fmt::format("{}:{}", s.file_name(), s.line()); }

bool parked(TaskState s) { return s == TaskState::blocked || s == TaskState::waiting; }

std::string group_header(const TaskSnapshot& t, std::size_t count, const char* noun) {
  if (t.kind != nullptr) noun = t.kind;
  std::string head = fmt::format("{} {}{} {}", count, noun, count == 1 ? "" : "s", to_string(t.state));
  if (parked(t.state))
    head += fmt::format(" [{}] at {}", t.reason, site_text(t.site));
  else
    head += fmt::format(", last scheduling point at {}", site_text(t.site));
  if (t.spawned_at.line() == 0) return head;  // a thread go() did not start
  return head + fmt::format(", spawned at {}", site_text(t.spawned_at));
}

std::string task_line(const TaskSnapshot& t, TimePoint start, const char* noun) {
  if (t.kind != nullptr) noun = t.kind;
  std::string line = t.name.empty() ? fmt::format("  {} {}", noun, t.id)
                                    : fmt::format("  {} {} \"{}\"", noun, t.id, t.name);
  if (!t.object.empty()) line += fmt::format(" on {}", t.object);
  if (parked(t.state)) line += fmt::format(" since +{}", format_duration(t.since - start));
  return line;
}

}  // namespace

std::string format_dump(const std::vector<TaskSnapshot>& tasks, TimePoint start, TimePoint now,
                        const char* noun) {
  // Groups in order of first appearance; tasks arrive sorted by id.
  std::vector<std::vector<const TaskSnapshot*>> groups;
  for (const TaskSnapshot& t : tasks) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return same_group(*g.front(), t); });
    if (it == groups.end())
      groups.push_back({&t});
    else
      it->push_back(&t);
  }
  std::string out = fmt::format("goroutine dump at +{} ({}): {} {}{} in {} group{}\n",
                                format_duration(now - start), format_time(now), tasks.size(), noun,
                                tasks.size() == 1 ? "" : "s", groups.size(),
                                groups.size() == 1 ? "" : "s");
  for (const auto& g : groups) {
    out += group_header(*g.front(), g.size(), noun) + "\n";
    for (std::size_t i = 0; i < g.size() && i < kDumpTasksPerGroup; ++i)
      out += task_line(*g[i], start, noun) + "\n";
    if (g.size() > kDumpTasksPerGroup)
      out += fmt::format("  ... and {} more\n", g.size() - kDumpTasksPerGroup);
  }
  return out;
}

}  // namespace lockstep
