#include "runtime/clock.hpp"

#include <fmt/format.h>

#include <ctime>

#include "runtime/seam.hpp"

namespace lockstep {
namespace {

// Steady time shifted to read as Unix time; fixed at first use.
Duration steady_offset() noexcept {
  static const Duration offset = [] {
    auto sys = std::chrono::system_clock::now().time_since_epoch();
    auto steady = std::chrono::steady_clock::now().time_since_epoch();
    return std::chrono::duration_cast<Duration>(sys) - std::chrono::duration_cast<Duration>(steady);
  }();
  return offset;
}

// Appends ".5", ".000001" etc.: the fraction of a second, trailing zeros cut.
void append_fraction(std::string& out, std::int64_t nanos) {
  if (nanos == 0) return;
  std::string digits = fmt::format("{:09d}", nanos);
  digits.erase(digits.find_last_not_of('0') + 1);
  out += '.';
  out += digits;
}

}  // namespace

Clock::time_point Clock::now() noexcept {
  if (detail::in_simulation()) return detail::current_runtime()->now();
  return detail::real_now();
}

TimePoint detail::real_now() noexcept {
  auto steady = std::chrono::steady_clock::now().time_since_epoch();
  return TimePoint{std::chrono::duration_cast<Duration>(steady) + steady_offset()};
}

TimePoint detail::real_now_coarse() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);  // steady_clock's clock, at tick resolution
  return TimePoint{std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec} + steady_offset()};
}

std::chrono::steady_clock::time_point detail::to_steady(TimePoint t) noexcept {
  Duration since = t.time_since_epoch() - steady_offset();
  return std::chrono::steady_clock::time_point{
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(since)};
}

std::string format_time(TimePoint t) {
  auto ns = t.time_since_epoch().count();
  auto secs = ns / 1'000'000'000;
  auto frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::string out = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  append_fraction(out, frac);
  out += 'Z';
  return out;
}

std::string format_duration(Duration d) {
  auto ns = d.count();
  if (ns == 0) return "0s";
  std::string out = ns < 0 ? "-" : "";
  // The most negative value cannot be negated; it is ~-292 years, print raw.
  if (ns == std::numeric_limits<Duration::rep>::min()) return fmt::format("{}ns", ns);
  if (ns < 0) ns = -ns;
  if (ns < 1'000) return out + fmt::format("{}ns", ns);
  if (ns < 1'000'000) {
    out += fmt::format("{}", ns / 1'000);
    append_fraction(out, (ns % 1'000) * 1'000'000);
    return out + "us";
  }
  if (ns < 1'000'000'000) {
    out += fmt::format("{}", ns / 1'000'000);
    append_fraction(out, (ns % 1'000'000) * 1'000);
    return out + "ms";
  }
  auto secs = ns / 1'000'000'000;
  if (secs >= 3600) out += fmt::format("{}h", secs / 3600);
  if (secs >= 60) out += fmt::format("{}m", secs / 60 % 60);
  out += fmt::format("{}", secs % 60);
  append_fraction(out, ns % 1'000'000'000);
  return out + "s";
}

}  // namespace lockstep
