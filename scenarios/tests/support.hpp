// Shared by the scenario tests.
//
// passes_everywhere() runs a body on `n` schedules of a strategy
// (seeds 1..n) and requires `passed` on each, printing the first failing
// report: the exploration every correct pattern must survive.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>

#include "lockstep.hpp"

namespace lockstep::scenarios::test {

inline sim::Options schedule(sim::Strategy s, std::uint64_t seed) {
  sim::Options o;
  o.strategy = std::move(s);
  o.seed = seed;
  o.replay = sim::make_token(o.strategy, seed);  // ignore an ambient LOCKSTEP_REPLAY
  return o;
}

template <class F>
sim::Report run_fifo(F&& body) {
  return sim::run(std::forward<F>(body), schedule(sim::Strategy::fifo(), 0));
}

template <class F>
void passes_everywhere(const F& body, std::uint64_t n = 100) {
  for (auto strategy : {sim::Strategy::random(), sim::Strategy::pct()}) {
    for (std::uint64_t seed = 1; seed <= n; ++seed) {
      auto r = sim::run(body, schedule(strategy, seed));
      INFO(sim::to_string(r));
      REQUIRE(r.verdict == sim::Verdict::passed);
    }
  }
}

}  // namespace lockstep::scenarios::test
