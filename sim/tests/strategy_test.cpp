// Strategies and replay: FIFO's exact order, seeded randomness that is the
// same on every run and machine, PCT, and replay tokens that reproduce a run
// decision for decision.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

// Three fibers that each yield three times and sleep once; the trace is the
// interleaving, plus one data choice.
struct Interleaving {
  std::vector<std::string> order;
  sim::Report report;
};

Interleaving interleave(const sim::Options& o) {
  Interleaving out;
  out.report = sim::run(
      [&] {
        for (const char* name : {"A", "B", "C"})
          lockstep::go(name, [&out, name] {
            for (int i = 1; i <= 3; ++i) {
              out.order.push_back(fmt::format("{}{}", name, i));
              lockstep::yield();
            }
            lockstep::sleep(1s);
            auto pick = lockstep::detail::current_runtime()->choose(4, lockstep::SourceLocation::current());
            out.order.push_back(fmt::format("{}:{}", name, pick));
          });
        lockstep::sleep(2s);
      },
      o);
  return out;
}

sim::Options with(sim::Strategy s, std::uint64_t seed) {
  sim::Options o;
  o.strategy = std::move(s);
  o.seed = seed;
  return o;
}

}  // namespace

TEST_CASE("strategy: fifo runs fibers round-robin at yields, in spawn order", "[strategy][fifo]") {
  auto run = interleave({});
  CHECK(run.report.passed());
  CHECK(run.order == std::vector<std::string>{"A1", "B1", "C1", "A2", "B2", "C2", "A3", "B3",
                                              "C3", "A:0", "B:0", "C:0"});
  CHECK(run.report.replay_token == "lockstep1:fifo:seed=0");
  // Every decision under fifo is alternative 0: counted, not stored. 19
  // scheduling decisions, and 2 for the three sleeps due together at 1s.
  CHECK(run.report.decision_count == 21);
  CHECK(run.report.decisions.empty());
}

TEST_CASE("strategy: random with the same seed gives the same run", "[strategy][random]") {
  auto a = interleave(with(sim::Strategy::random(), 42));
  auto b = interleave(with(sim::Strategy::random(), 42));
  CHECK(a.report.passed());
  CHECK(a.order == b.order);
  CHECK(a.report.decisions == b.report.decisions);
  CHECK(a.report.steps == b.report.steps);
  CHECK(a.report.switches == b.report.switches);
}

TEST_CASE("strategy: different seeds give different interleavings", "[strategy][random]") {
  auto fifo = interleave({});
  std::set<std::vector<std::string>> seen;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) seen.insert(interleave(with(sim::Strategy::random(), seed)).order);
  CHECK(seen.size() >= 6);
  CHECK(seen.count(fifo.order) <= 1);
  // Seeds 1 and 2 differ (the generator is specified, so this holds on every machine).
  CHECK(interleave(with(sim::Strategy::random(), 1)).order !=
        interleave(with(sim::Strategy::random(), 2)).order);
}

TEST_CASE("strategy: the generator is specified, not the standard library's", "[strategy][rng]") {
  sim::detail::Rng rng(0);
  // xoshiro256** seeded by splitmix64(0): golden values, identical everywhere.
  CHECK(rng.next() == 0x99ec5f36cb75f2b4ull);
  CHECK(rng.next() == 0xbf6e1f784956452aull);
  sim::detail::Rng bounded(5);
  std::vector<std::uint64_t> draws;
  for (int i = 0; i < 8; ++i) draws.push_back(bounded.below(10));
  sim::detail::Rng again(5);
  for (auto d : draws) CHECK(again.below(10) == d);
  CHECK(std::all_of(draws.begin(), draws.end(), [](auto d) { return d < 10; }));
}

TEST_CASE("strategy: a replay token reproduces a random run exactly", "[strategy][replay]") {
  auto original = interleave(with(sim::Strategy::random(), 1234));
  REQUIRE(original.report.replay_token == "lockstep1:random:seed=1234");
  sim::Options o;
  o.replay = original.report.replay_token;
  auto replayed = interleave(o);
  CHECK(replayed.order == original.order);
  CHECK(replayed.report.decisions == original.report.decisions);
  CHECK(replayed.report.seed == 1234);
  CHECK(replayed.report.strategy.kind() == sim::Strategy::Kind::random);
}

TEST_CASE("strategy: the LOCKSTEP_REPLAY environment variable replays a run", "[strategy][replay]") {
  auto original = interleave(with(sim::Strategy::pct(2, 20), 99));
  ::setenv("LOCKSTEP_REPLAY", original.report.replay_token.c_str(), 1);
  auto replayed = interleave({});  // options say fifo; the environment wins
  ::unsetenv("LOCKSTEP_REPLAY");
  CHECK(replayed.order == original.order);
  CHECK(replayed.report.replay_token == "lockstep1:pct:seed=99:depth=2:steps=20");
}

TEST_CASE("strategy: a malformed LOCKSTEP_REPLAY is named as the environment variable",
          "[strategy][replay]") {
  // Before, the error quoted a token the caller never wrote in its options.
  ::setenv("LOCKSTEP_REPLAY", "lockstep1:random:seed=7:seed=8", 1);
  std::string message;
  try {
    sim::run([] {});
  } catch (const lockstep::Misuse& e) {
    message = e.what();
  }
  ::unsetenv("LOCKSTEP_REPLAY");
  CHECK_THAT(message, Catch::StartsWith("lockstep: LOCKSTEP_REPLAY: malformed replay token"));
}

TEST_CASE("strategy: replaying recorded decisions reproduces any run", "[strategy][replay]") {
  for (auto s : {sim::Strategy::random(), sim::Strategy::pct(3, 30)}) {
    auto original = interleave(with(s, 5));
    auto replayed = interleave(with(sim::Strategy::replay(original.report.decisions), 0));
    CHECK(replayed.order == original.order);
    CHECK(replayed.report.decisions == original.report.decisions);
    // The replay strategy's own token carries the decisions.
    sim::Options o;
    o.replay = replayed.report.replay_token;
    CHECK(interleave(o).order == original.order);
  }
}

TEST_CASE("strategy: an empty replay is fifo, out-of-range decisions wrap", "[strategy][replay]") {
  CHECK(interleave(with(sim::Strategy::replay({}), 0)).order == interleave({}).order);
  auto wrapped = interleave(with(sim::Strategy::replay({7, 7, 7}), 0));
  CHECK(wrapped.report.passed());
  CHECK(wrapped.report.decisions.size() > 3);
}

TEST_CASE("strategy: pct is deterministic and explores orders fifo does not", "[strategy][pct]") {
  auto a = interleave(with(sim::Strategy::pct(3, 40), 11));
  auto b = interleave(with(sim::Strategy::pct(3, 40), 11));
  CHECK(a.order == b.order);
  std::set<std::vector<std::string>> seen;
  for (std::uint64_t seed = 1; seed <= 10; ++seed)
    seen.insert(interleave(with(sim::Strategy::pct(3, 40), seed)).order);
  CHECK(seen.size() >= 3);
}

TEST_CASE("strategy: pct with depth 1 runs the highest priority fiber until it blocks",
          "[strategy][pct]") {
  // No change points: whichever fiber has the top priority yields and is
  // picked again, so each fiber's three steps stay together (within the
  // step bound; past it, decisions are uniform).
  auto run = interleave(with(sim::Strategy::pct(1, 1000), 3));
  std::vector<std::string> firsts(run.order.begin(), run.order.begin() + 9);
  for (std::size_t i = 0; i < 9; i += 3) {
    CHECK(firsts[i].substr(0, 1) == firsts[i + 1].substr(0, 1));
    CHECK(firsts[i].substr(0, 1) == firsts[i + 2].substr(0, 1));
  }
}

TEST_CASE("strategy: past its step bound pct is fair, so a spinning fiber cannot starve a lower one",
          "[strategy][pct]") {
  // "waiter" spins on a flag only "setter" sets. Strict priorities would run
  // the spinner for ever whenever its priority is the higher one (about
  // half the seeds): a livelock no fair scheduler produces.
  std::map<sim::Verdict, int> verdicts;
  std::uint64_t last_end_step = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    sim::Options o = with(sim::Strategy::pct(1, 10), seed);
    o.livelock_steps = 10'000;
    sim::Report r = sim::run(
        [] {
          bool set = false;
          lockstep::go("waiter", [&set] {
            while (!set) lockstep::yield();
          });
          lockstep::go("setter", [&set] { set = true; });
          lockstep::sleep(1s);
        },
        o);
    ++verdicts[r.verdict];
    last_end_step = std::max(last_end_step, r.steps);
  }
  CHECK(verdicts == std::map<sim::Verdict, int>{{sim::Verdict::passed, 20}});
  CHECK(last_end_step < 100);
}

TEST_CASE("strategy: tokens round-trip and name what is wrong", "[strategy][token]") {
  sim::Strategy s = sim::Strategy::fifo();
  std::uint64_t seed = 0;
  sim::parse_token("lockstep1:replay:seed=3:then=random:d=0x3.1.0.2x2", s, seed);
  CHECK(s.kind() == sim::Strategy::Kind::replay);
  CHECK(s.then() == sim::Strategy::Kind::random);
  CHECK(s.decisions() == std::vector<std::uint32_t>{0, 0, 0, 1, 0, 2, 2});
  CHECK(seed == 3);
  CHECK(sim::make_token(s, seed) == "lockstep1:replay:seed=3:then=random:d=0x3.1.0.2x2");

  auto bad = [](const char* token) {
    sim::Strategy st = sim::Strategy::fifo();
    std::uint64_t sd = 0;
    sim::parse_token(token, st, sd);
  };
  CHECK_THROWS_WITH(bad("lockstep2:fifo:seed=1"),
                    Catch::StartsWith("lockstep: malformed replay token \"lockstep2:fifo:seed=1\": "
                                      "expected lockstep1:<strategy>:seed=<n>[:...]"));
  CHECK_THROWS_WITH(bad("lockstep1:dfs:seed=1"), Catch::Contains("unknown strategy \"dfs\""));
  CHECK_THROWS_WITH(bad("lockstep1:random"), Catch::Contains("expected lockstep1:<strategy>"));
  CHECK_THROWS_WITH(bad("lockstep1:random:depth=3"),
                    Catch::Contains("unexpected field \"depth\" for random"));
  CHECK_THROWS_WITH(bad("lockstep1:random:seed=x1"),
                    Catch::Contains("seed must be a whole number in 0..18446744073709551615, not \"x1\""));
  CHECK_THROWS_WITH(bad("lockstep1:pct:seed=1:depth=0"),
                    Catch::Contains("depth must be a whole number in 1..64, not \"0\""));
  CHECK_THROWS_WITH(bad("lockstep1:replay:seed=1:d=1x0"),
                    Catch::Contains("repeat count must be a whole number in 1..134217728, not \"0\""));
  CHECK_THROWS_AS(bad("lockstep1:replay:seed=1:then=pct"), lockstep::Misuse);
  // A malformed token in Options fails run() before anything runs.
  sim::Options o;
  o.replay = "nonsense";
  CHECK_THROWS_AS(sim::run([] {}, o), lockstep::Misuse);
}

// Every field of a token is bounded, each given at most once, and the
// decisions are capped before anything is allocated: try_parse_token()'s
// exact reasons (the runner's corpus, scenarios/tests/inputs_test.cpp,
// covers the rest through the command line).
TEST_CASE("strategy: token fields: ranges, duplicates and the decision cap", "[strategy][token]") {
  auto reason = [](std::string_view token) {
    sim::Strategy st = sim::Strategy::fifo();
    std::uint64_t sd = 0;
    return sim::try_parse_token(token, st, sd).value_or("(valid)");
  };
  auto decoded = [](std::string_view token) {
    sim::Strategy st = sim::Strategy::fifo();
    std::uint64_t sd = 0;
    REQUIRE_FALSE(sim::try_parse_token(token, st, sd));
    return st.decisions().size();
  };
  CHECK(reason("") == "empty replay token (expected lockstep1:<strategy>:seed=<n>[:...])");
  CHECK(reason("lockstep1:random:seed=18446744073709551615") == "(valid)");
  CHECK(reason("lockstep1:random:seed=007") == "(valid)");  // leading zeros: still that number
  CHECK(reason("lockstep1:random:seed=18446744073709551616") ==
        "malformed replay token \"lockstep1:random:seed=18446744073709551616\": seed must be a whole number in "
        "0..18446744073709551615, not \"18446744073709551616\"");
  CHECK(reason("lockstep1:random:seed=7:seed=8") ==
        "malformed replay token \"lockstep1:random:seed=7:seed=8\": field \"seed\" given twice");
  CHECK(reason("lockstep1:pct:seed=1:depth=65") ==
        "malformed replay token \"lockstep1:pct:seed=1:depth=65\": depth must be a whole number in 1..64, not \"65\"");
  CHECK(reason("lockstep1:replay:seed=1:then=pct") ==
        "malformed replay token \"lockstep1:replay:seed=1:then=pct\": then must be fifo or random, not \"pct\"");
  CHECK(reason("lockstep1:replay:seed=1:d=1.") ==
        "malformed replay token \"lockstep1:replay:seed=1:d=1.\": d= has an empty item (two dots, or a dot at "
        "either end)");
  CHECK(reason("lockstep1:replay:seed=1:d=4294967296") ==
        "malformed replay token \"lockstep1:replay:seed=1:d=4294967296\": decision must be a whole number in "
        "0..4294967295, not \"4294967296\"");
  // The cap: a count past it, and runs that add up past it, are refused.
  CHECK(reason("lockstep1:replay:seed=1:d=0x134217729") ==
        "malformed replay token \"lockstep1:replay:seed=1:d=0x134217729\": repeat count must be a whole number in "
        "1..134217728, not \"134217729\"");
  CHECK(reason("lockstep1:replay:seed=1:d=0x134217728.1") ==
        "malformed replay token \"lockstep1:replay:seed=1:d=0x134217728.1\": d= holds more than 134217728 "
        "decisions, the most a token may hold");
  CHECK(reason("lockstep1:replay:seed=1:d=0x100000000.1x100000000") ==
        "malformed replay token \"lockstep1:replay:seed=1:d=0x100000000.1x100000000\": d= holds more than "
        "134217728 decisions, the most a token may hold");
  // Up to the cap a token decodes whole (512 MiB at the cap itself).
  CHECK(decoded("lockstep1:replay:seed=1:d=") == 0);
  CHECK(decoded("lockstep1:replay:seed=1:d=3x1000000.4294967295") == 1'000'001);
  CHECK(decoded("lockstep1:replay:seed=1:d=0x134217727.1") == sim::kReplayDecisionsMax);
  // A token too long to show is cut, its length given; a newline is escaped.
  std::string long_token = "lockstep1:random:seed=" + std::string(200, '9');
  CHECK(reason(long_token) ==
        "malformed replay token \"lockstep1:random:seed=99999999999999999999999999999999999999999999999999999999"
        "99\"... (222 bytes): seed must be a whole number in 0..18446744073709551615, not \"" +
            std::string(80, '9') + "\"... (200 bytes)");
  CHECK(reason("lockstep1:random:seed=1\n") ==
        "malformed replay token \"lockstep1:random:seed=1\\n\": seed must be a whole number in "
        "0..18446744073709551615, not \"1\\n\"");
}

TEST_CASE("strategy: choose() is a recorded decision", "[strategy][choose]") {
  auto r = sim::run(
      [] {
        auto* rt = lockstep::detail::current_runtime();
        CHECK(rt->choose(1, lockstep::SourceLocation::current()) == 0);  // not a decision
        CHECK(rt->choose(3, lockstep::SourceLocation::current()) == 2);
        CHECK(rt->choose(5, lockstep::SourceLocation::current()) == 4);
        CHECK_THROWS_AS(rt->choose(0, lockstep::SourceLocation::current()), lockstep::Misuse);
      },
      with(sim::Strategy::replay({2, 9}), 0));
  CHECK(r.passed());
  CHECK(r.decisions == std::vector<std::uint32_t>{2, 4});
}

TEST_CASE("strategy: bad strategy parameters are misuse", "[strategy][misuse]") {
  CHECK_THROWS_WITH(sim::Strategy::pct(0), Catch::Contains("depth 0 is out of range [1, 64]"));
  CHECK_THROWS_WITH(sim::Strategy::pct(65), Catch::Contains("depth 65 is out of range"));
  CHECK_THROWS_WITH(sim::Strategy::replay({}, sim::Strategy::pct()),
                    Catch::Contains("`then` must be fifo or random"));
}

TEST_CASE("strategy: same options give a bit-identical report, dump included", "[strategy][determinism]") {
  auto failing = [] {
    for (int i = 0; i < 5; ++i)
      lockstep::go(fmt::format("w{}", i), [i] {
        for (int k = 0; k < 3 + i; ++k) {
          lockstep::yield();
          lockstep::sleep(std::chrono::milliseconds(10 * (i + 1)));
        }
        if (i % 2 == 0) lockstep::test::block_forever();
      });
    lockstep::sleep(1s);
  };
  auto a = sim::run(failing, with(sim::Strategy::random(), 8));
  auto b = sim::run(failing, with(sim::Strategy::random(), 8));
  CHECK(a.verdict == sim::Verdict::leak);
  CHECK(sim::to_string(a) == sim::to_string(b));
  CHECK(a.decisions == b.decisions);
  CHECK(a.end == b.end);
}

TEST_CASE("strategy: pct's steps 0 is the adaptive bound, any other is fixed", "[strategy][pct]") {
  auto adaptive = sim::Strategy::pct(3, sim::kPctStepsAdaptive);
  CHECK(adaptive == sim::Strategy::pct());
  CHECK(adaptive.pct_adaptive());
  CHECK(adaptive.pct_steps() == sim::kPctStepsEstimate);  // the guess, before any run
  auto fixed = sim::Strategy::pct(3, 1);
  CHECK_FALSE(fixed.pct_adaptive());
  fixed.adapt(500);
  CHECK(fixed.pct_steps() == 1);
  auto random = sim::Strategy::random();
  random.adapt(500);
  CHECK(random == sim::Strategy::random());
}
