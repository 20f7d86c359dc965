// Shared by the property tests: run a property with fixed RapidCheck
// parameters, so the cases checked, the failure found and its shrinking are
// the same on every run (and under ASan), and read the outcome back.
//
//   auto result = props::check(100, [](const lt::Schedule& s) { ... });
//   props::require_passed(result, 100);          // a property that holds
//   auto failure = props::require_failed(result); // one expected to fail
//   CHECK(props::shown(failure) == std::vector<std::string>{"decisions [], then fifo", "9"});
//
// A counterexample is what RapidCheck shows of it: the arguments (a Schedule
// through lockstep::testing::showValue) and every *gen value drawn inside the
// property, in order, as text.
#pragma once

#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include <sstream>
#include <string>
#include <vector>

#include "testing/rapidcheck.hpp"

namespace props {

inline constexpr std::uint64_t kSeed = 1;

template <class Property>
rc::detail::TestResult check(int max_success, Property&& property, std::uint64_t seed = kSeed) {
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = max_success;
  params.maxSize = 100;
  params.maxDiscardRatio = 10;
  return rc::detail::checkTestable(std::forward<Property>(property), rc::detail::TestMetadata{}, params);
}

inline std::string message(const rc::detail::TestResult& result) {
  std::ostringstream os;
  rc::detail::printResultMessage(result, os);
  return os.str();
}

// require_passed(): the property held on exactly `runs` generated cases.
inline void require_passed(const rc::detail::TestResult& result, int runs) {
  INFO(message(result));
  REQUIRE(result.is<rc::detail::SuccessResult>());
  CHECK(result.get<rc::detail::SuccessResult>().numSuccess == runs);
}

// require_failed(): RapidCheck found a counterexample within its budget.
inline rc::detail::FailureResult require_failed(const rc::detail::TestResult& result) {
  INFO(message(result));
  REQUIRE(result.is<rc::detail::FailureResult>());
  return result.get<rc::detail::FailureResult>();
}

// shown(): the counterexample's values as RapidCheck prints them.
inline std::vector<std::string> shown(const rc::detail::FailureResult& failure) {
  std::vector<std::string> values;
  for (const auto& [type, value] : failure.counterExample) values.push_back(value);
  return values;
}

}  // namespace props
