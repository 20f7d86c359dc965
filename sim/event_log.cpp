#include "sim/event_log.hpp"

#include <fmt/format.h>

#include <cstring>

#include "runtime/clock.hpp"

namespace lockstep::sim::detail {

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::spawn: return "spawn";
    case EventKind::run: return "run";
    case EventKind::park: return "park";
    case EventKind::ready: return "ready";
    case EventKind::exit: return "exit";
    case EventKind::decide: return "decide";
    case EventKind::timer: return "timer";
    case EventKind::advance: return "advance";
    case EventKind::verdict: return "verdict";
  }
  return "?";
}

bool Event::operator==(const Event& o) const noexcept {
  // Reasons are compared by text: the same literal may have two addresses.
  return kind == o.kind && at_ns == o.at_ns && fiber == o.fiber && other == o.other &&
         alternatives == o.alternatives && chosen == o.chosen && std::strcmp(reason, o.reason) == 0 &&
         text == o.text;
}

namespace {

std::string where(std::uint64_t fiber) {
  return fiber == 0 ? std::string{"scheduler"} : fmt::format("fiber {}", fiber);
}

// fmt rather than operator+: GCC 12 at -O3 warns falsely (-Wrestrict) on
// string concatenations here.
std::string on(const std::string& object) {
  return object.empty() ? std::string{} : fmt::format(" on {}", object);
}

}  // namespace

std::string describe(const Event& e) {
  std::string at = fmt::format("+{}", format_duration(Duration{e.at_ns}));
  switch (e.kind) {
    case EventKind::spawn:
      return fmt::format("{} spawn {} \"{}\" by {}", at, where(e.other), e.text, where(e.fiber));
    case EventKind::run: return fmt::format("{} run {}", at, where(e.fiber));
    case EventKind::park:
      return fmt::format("{} park {} [{}]{}", at, where(e.fiber), e.reason, on(e.text));
    case EventKind::ready:
      return fmt::format("{} ready {} [{}]{} by {}", at, where(e.other), e.reason, on(e.text),
                         where(e.fiber));
    case EventKind::exit: return fmt::format("{} exit {}", at, where(e.fiber));
    case EventKind::decide:
      return fmt::format("{} decide {} of {} by {}", at, e.chosen, e.alternatives, where(e.fiber));
    case EventKind::timer:
      return e.other == ~std::uint64_t{0} ? fmt::format("{} timer fired on add", at)
                                          : fmt::format("{} timer #{} fired", at, e.other);
    case EventKind::advance: return fmt::format("{} time advances", at);
    case EventKind::verdict: return fmt::format("{} verdict: {}", at, e.text);
  }
  return fmt::format("{} ?", at);
}

namespace {

// FNV-1a, specified here so that digests agree across machines and builds.
struct Fnv {
  std::uint64_t h;
  void bytes(const void* p, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      h ^= static_cast<const unsigned char*>(p)[i];
      h *= 0x100000001b3ull;
    }
  }
  void u64(std::uint64_t v) noexcept {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));  // little-endian
    bytes(b, 8);
  }
  void text(const char* s, std::size_t n) noexcept {
    u64(n);
    bytes(s, n);
  }
};

}  // namespace

void EventLog::add(Event e) {
  Fnv f{hash_};
  f.u64(static_cast<std::uint64_t>(e.kind));
  f.u64(static_cast<std::uint64_t>(e.at_ns));
  f.u64(e.fiber);
  f.u64(e.other);
  f.u64((std::uint64_t{e.alternatives} << 32) | e.chosen);
  f.text(e.reason, std::strlen(e.reason));
  f.text(e.text.data(), e.text.size());
  hash_ = f.h;
  events_.push_back(std::move(e));
}

}  // namespace lockstep::sim::detail
