// The courier-dispatch domain every scenario shares: couriers, parcels, the
// route planned between them, and the scans parcels emit on their way.
//
// Errors follow Go's style: a function that can fail returns a Result<T>
// (a value or an Error) rather than throwing, and callers wrap the error with
// what failed ("load courier 7: store unavailable"), so the message that
// reaches a request names the step that broke.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "lockstep.hpp"

namespace lockstep::scenarios {

struct Courier {
  int id = 0;
  int zone = 0;
  bool operator==(const Courier&) const = default;
};

struct Parcel {
  int id = 0;
  int zone = 0;
  bool operator==(const Parcel&) const = default;
};

struct Route {
  int courier_id = 0;
  int parcel_id = 0;
  Duration eta{};
  bool operator==(const Route&) const = default;
};

struct Assignment {
  Courier courier;
  Parcel parcel;
  Route route;
  bool operator==(const Assignment&) const = default;
};

// A scan: a parcel seen at a depot, at a virtual time.
struct Scan {
  int parcel_id = 0;
  int depot = 0;
  bool operator==(const Scan&) const = default;
};

// Result<T>: a value, or the error that prevented it (Go's `T, error`).
template <class T>
struct Result {
  std::optional<T> value;
  Error err;
  bool ok() const noexcept { return err == nullptr; }
  static Result success(T v) { return Result{std::move(v), nullptr}; }
  static Result failure(Error e) { return Result{std::nullopt, std::move(e)}; }
};

// A failure of a dependency, e.g. "store unavailable".
struct LookupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// wrap() is Go's fmt.Errorf("%s: %w", what, err) for messages: the wrapped
// error says what failed first, then why. Context errors are kept as they are
// (callers test them with is_canceled / is_deadline_exceeded).
[[nodiscard]] inline Error wrap(const std::string& what, const Error& err) {
  if (err == nullptr || is_canceled(err) || is_deadline_exceeded(err)) return err;
  return std::make_exception_ptr(LookupError(fmt::format("{}: {}", what, error_message(err))));
}

[[nodiscard]] inline Error make_error(const std::string& message) {
  return std::make_exception_ptr(LookupError(message));
}

// InvariantBroken is what a scenario's checker throws: in a simulation it
// ends the run with the `exception` verdict, its message naming the invariant.
struct InvariantBroken : std::logic_error {
  explicit InvariantBroken(const std::string& what) : std::logic_error("invariant broken: " + what) {}
};

inline void check(bool ok, const std::string& invariant) {
  if (!ok) throw InvariantBroken(invariant);
}

}  // namespace lockstep::scenarios
