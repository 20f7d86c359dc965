// Fuzzing the two readers of untrusted text (issue 10, item 2): the replay
// token decoder (sim::try_parse_token) and the campaign JSON-lines reader
// that merge uses (parse_campaign_line, read_campaign). Each gets arbitrary
// strings and mutated valid inputs: bit flips, truncation, fields given
// twice, huge or negative numbers spliced in, and (tokens) runs of decisions
// that add up past the cap.
//
// The properties, for every input: no crash and no exception but the
// reader's own; either a clear error (non-empty, one printable line, short)
// or a valid result that round-trips through the writer; decoded decisions
// never above kReplayDecisionsMax; and no single allocation above a bound
// linear in the input's length (plus the decoded decisions themselves), so a
// short input can never ask for gigabytes. This file replaces the global
// operator new to see every allocation (under a sanitizer, which owns
// operator new, a malloc hook does, as in primitives/tests/alloc_test.cpp).
#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lockstep.hpp"
#include "property_tests/support.hpp"
#include "exploration/campaign_json.hpp"
#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"
#include "exploration/merge.hpp"
#include "sim/input.hpp"
#include "runtime/sanitizer_hooks.hpp"

namespace sim = lockstep::sim;
namespace ls = lockstep::scenarios;
namespace lx = lockstep::exploration;

// ---- the largest allocation -------------------------------------------------

namespace {
thread_local bool watching = false;
thread_local std::size_t largest = 0;
void note_allocation(std::size_t n) {
  if (watching && n > largest) largest = n;
}
}  // namespace

#if defined(LOCKSTEP_ASAN) || defined(LOCKSTEP_TSAN)
extern "C" int __sanitizer_install_malloc_and_free_hooks(
    void (*on_malloc)(const volatile void*, std::size_t), void (*on_free)(const volatile void*));
namespace {
void on_malloc(const volatile void*, std::size_t n) { note_allocation(n); }
void on_free(const volatile void*) {}
const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}  // namespace
#else
void* operator new(std::size_t n) {
  note_allocation(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
// Not inlined: GCC would see free() meet a `new` of this file and warn
// (-Wmismatched-new-delete), not knowing the two are paired here.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace {

// largest_allocation() runs `f` and returns the largest single allocation it made.
template <class F>
std::size_t largest_allocation(F&& f) {
  largest = 0;
  watching = true;
  struct Stop {
    ~Stop() { watching = false; }
  } stop;
  f();
  return largest;
}

// What no input may make a reader allocate at once: a small constant plus a
// multiple of its length (a vector of views of its parts, a copy of a line).
std::size_t allocation_bound(const std::string& input) { return 4096 + 64 * input.size(); }

// How the cases of a property ended, to assert that the fixed RapidCheck
// seed exercises both ways (and, for tokens, the cap).
struct Outcomes {
  int refused = 0, valid = 0, capped = 0;
};
Outcomes outcomes;

// A clear error: something, on one printable line, not a novel.
void require_clear(const std::string& message) {
  RC_ASSERT(!message.empty());
  RC_ASSERT(sim::printable(message) == message);
  RC_ASSERT(message.size() <= 1000);
}

// ---- mutations ----------------------------------------------------------------

// uniform() is uniform in [min, max). rc::gen::inRange scales with
// RapidCheck's size, which grows from 0 over a run: the choices of a
// mutation or a position would favour the first ones.
template <class T>
T uniform(T min, T max) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(min, max));
}

// Numbers at and past every bound a reader checks (none of them a repeat
// count the decoder would accept and fill: those are tested at the cap in
// sim/tests/strategy_test.cpp, once, for their 512 MiB).
const std::vector<std::string> kNumbers{"0",          "-1",         "-0",         "1e9",        "0x10",
                                        "4294967295", "4294967296", "134217729",  "1000000001", "65",
                                        "18446744073709551615",    "18446744073709551616",     "1.5",
                                        "99999999999999999999999999999999999999",  "1e400",      ""};

// splice_number() replaces one run of digits in `text` with a number from kNumbers.
std::string splice_number(std::string text) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (std::isdigit(static_cast<unsigned char>(text[i])) && (i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]))))
      starts.push_back(i);
  if (starts.empty()) return text;
  std::size_t at = starts[uniform<std::size_t>(0, starts.size())];
  std::size_t end = at;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  return text.replace(at, end - at, *rc::gen::elementOf(kNumbers));
}

// mutate() applies one byte-level change: a bit flip, a cut, a byte
// inserted or removed, or a number spliced in.
std::string mutate(std::string text) {
  std::size_t at = text.empty() ? 0 : uniform<std::size_t>(0, text.size());
  switch (uniform(0, 5)) {
    case 0:
      if (!text.empty()) text[at] = static_cast<char>(text[at] ^ (1 << uniform(0, 8)));
      return text;
    case 1: return text.substr(0, at);
    case 2: return text.insert(at, 1, *rc::gen::arbitrary<char>());
    case 3: return text.empty() ? text : text.erase(at, 1);
    default: return splice_number(text);
  }
}

// ---- tokens -------------------------------------------------------------------

sim::Strategy gen_strategy() {
  switch (uniform(0, 4)) {
    case 0: return sim::Strategy::fifo();
    case 1: return sim::Strategy::random();
    case 2:
      return sim::Strategy::pct(*rc::gen::inRange(1u, sim::kPctDepthMax + 1),
                                *rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(1, 2000),
                                                rc::gen::just(sim::kU64Max)));
    default: {
      // Runs of small decisions (what a shrunk schedule holds), now and then a large one.
      std::vector<std::uint32_t> d;
      for (int runs = *rc::gen::inRange(0, 8); runs > 0; --runs)
        d.insert(d.end(), *rc::gen::inRange<std::size_t>(1, 40),
                 *rc::gen::weightedOneOf<std::uint32_t>(
                     {{6, rc::gen::inRange<std::uint32_t>(0, 4)}, {1, rc::gen::arbitrary<std::uint32_t>()}}));
      return sim::Strategy::replay(std::move(d), *rc::gen::arbitrary<bool>() ? sim::Strategy::random()
                                                                             : sim::Strategy::fifo());
    }
  }
}

// mutate_token() changes a valid token: a byte-level mutation, a field
// given twice, or (replay) runs that each pass the count check but add up
// past the cap.
std::string mutate_token(std::string token) {
  switch (uniform(0, 5)) {
    case 0: {
      std::size_t colon = token.rfind(':');
      return colon == std::string::npos ? token : token + token.substr(colon);  // the last field again
    }
    case 1:
    case 2:
      return token.find(":d=") == std::string::npos ? token
                                                    : token + (token.back() == '=' ? "" : ".") +
                                                          "1x100000000.2x100000000";
    default: return mutate(token);
  }
}

// check_token() is the property for one input.
void check_token(const std::string& token) {
  sim::Strategy strategy = sim::Strategy::fifo();
  std::uint64_t seed = 0;
  std::optional<std::string> why;
  std::size_t peak = largest_allocation([&] { why = sim::try_parse_token(token, strategy, seed); });
  if (why) {
    require_clear(*why);
    RC_ASSERT(peak <= allocation_bound(token));  // refused before the decisions were allocated
    ++outcomes.refused;
    if (why->ends_with("the most a token may hold")) ++outcomes.capped;
    return;
  }
  ++outcomes.valid;
  RC_ASSERT(strategy.decisions().size() <= sim::kReplayDecisionsMax);
  RC_ASSERT(peak <= std::max(allocation_bound(token), strategy.decisions().size() * sizeof(std::uint32_t)));
  sim::Strategy again = sim::Strategy::fifo();
  std::uint64_t again_seed = 0;
  RC_ASSERT(!sim::try_parse_token(sim::make_token(strategy, seed), again, again_seed));
  RC_ASSERT(again == strategy);
  RC_ASSERT(again_seed == seed);
}

// ---- JSON lines ---------------------------------------------------------------

std::string gen_line() {
  const std::vector<std::string> names{"mistakes/leak_no_stop", "patterns/zones", "x"};
  if (*rc::gen::arbitrary<bool>()) {
    lx::Failure f;
    f.scenario = *rc::gen::elementOf(names);
    f.schedule = *rc::gen::inRange<std::uint64_t>(0, 20);
    f.seed = *rc::gen::arbitrary<std::uint64_t>();
    f.strategy = *rc::gen::element<std::string>("random", "pct");
    f.verdict = *rc::gen::element(sim::Verdict::deadlock, sim::Verdict::leak, sim::Verdict::exception);
    f.message = *rc::gen::arbitrary<std::string>();
    f.token = sim::make_token(gen_strategy(), f.seed);
    f.expected = *rc::gen::arbitrary<bool>();
    f.dump = *rc::gen::element<std::string>("", "goroutine dump\n  1 fiber\n");
    return lx::to_json_line(f);
  }
  lx::CampaignSummary s;
  std::uint64_t count = *rc::gen::inRange<std::uint64_t>(1, 5);
  s.shard = {*rc::gen::inRange<std::uint64_t>(0, count), count};
  s.config.strategy = *rc::gen::element(sim::Strategy::Kind::random, sim::Strategy::Kind::pct);
  s.config.pct_depth = *rc::gen::inRange(1u, sim::kPctDepthMax + 1);
  s.config.seed = *rc::gen::arbitrary<std::uint64_t>();
  s.config.schedules = *rc::gen::inRange<std::uint64_t>(1, 30);
  s.schedules = *rc::gen::inRange<std::uint64_t>(0, 30);
  s.wall_seconds = *rc::gen::inRange(0, 5000) / 1000.0;
  for (int i = *rc::gen::inRange(0, 3); i > 0; --i)
    s.scenarios.push_back({*rc::gen::elementOf(names), sim::Verdict::leak, 1, lx::zero_counts(), 1, 0});
  return lx::to_json_line(s);
}

// duplicate_key() gives one field of a line twice: first, then where it was.
std::string duplicate_key(const std::string& line) {
  auto j = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.empty()) return line;  // already mangled
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  std::string key = *rc::gen::elementOf(keys);
  return "{\"" + key + "\":" + j[key].dump() + "," + line.substr(1);
}

std::string mutate_line(const std::string& line) {
  return uniform(0, 5) == 0 ? duplicate_key(line) : mutate(line);
}

// written() is the line a parsed line writes back.
std::string written(const lx::CampaignLine& parsed) {
  return std::visit([](const auto& value) { return lx::to_json_line(value); }, parsed);
}

// check_read() is the property of a reader that throws
// std::invalid_argument (parse_campaign_line, read_campaign): a clear error,
// or a value whose writing reads back to the same writing (wall_seconds is
// rounded once, invalid UTF-8 replaced once: the second writing is the first).
template <class Read, class Write>
void check_read(const std::string& input, Read read, Write write) {
  std::optional<decltype(read(input))> value;
  std::string why;
  std::size_t peak = largest_allocation([&] {
    try {
      value = read(input);
    } catch (const std::invalid_argument& e) {
      why = e.what();
    }
  });
  RC_ASSERT(peak <= allocation_bound(input));
  if (!value) {
    ++outcomes.refused;
    return require_clear(why);
  }
  ++outcomes.valid;
  std::string once = write(*value);
  RC_ASSERT(write(read(once)) == once);
}

void check_line(const std::string& line) {
  check_read(line, [](const std::string& l) { return lx::parse_campaign_line(l); },
             [](const lx::CampaignLine& parsed) { return written(parsed); });
}

// A real shard file, mutated line by line: lines dropped, repeated, cut.
const std::string& shard_file() {
  static const std::string text = [] {
    lx::CampaignConfig c;
    c.explore = {sim::Strategy::Kind::random, 4, 3};
    c.shard = {1, 2};
    c.dump = false;
    std::string out;
    auto summary = lx::run_campaign(ls::targets(ls::select_scenarios({"mistakes/leak_no_stop", "mistakes/missing_receiver_fixed"})),
                                    c, [&](const lx::Failure& f) { out += lx::to_json_line(f) + "\n"; });
    summary.wall_seconds = 0.25;  // the real time would make the file, and so the cases, vary
    return out + lx::to_json_line(summary) + "\n";
  }();
  return text;
}

std::string mutate_file(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = std::min(text.find('\n', at), text.size());
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (lines.empty()) return text;
  std::size_t i = uniform<std::size_t>(0, lines.size());
  switch (uniform(0, 4)) {
    case 0: lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i)); break;
    case 1: lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), lines[i]); break;
    case 2: lines[i] = duplicate_key(lines[i]); break;
    default: lines[i] = mutate(lines[i]); break;
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string written(const lx::Campaign& c) {
  std::string out;
  for (const auto& f : c.failures) out += lx::to_json_line(f) + "\n";
  return out + lx::to_json_line(c.summary) + "\n";
}

void check_file(const std::string& text) {
  check_read(text, [](const std::string& t) { return lx::read_campaign({"shard.jsonl", t}); },
             [](const lx::Campaign& c) { return written(c); });
}

}  // namespace

TEST_CASE("inputs property: any string as a replay token is a clear error or a token that round-trips",
          "[properties][inputs]") {
  outcomes = {};
  props::require_passed(props::check(2000, [](const std::string& token) { check_token(token); }), 2000);
  CHECK(outcomes.refused == 2000);  // every case (fixed RapidCheck seed): noise is never a token
  CHECK(outcomes.valid == 0);
}

TEST_CASE("inputs property: mutated tokens never decode past the cap or allocate before refusing",
          "[properties][inputs]") {
  outcomes = {};
  props::require_passed(props::check(3000, [] {
    std::string token = sim::make_token(gen_strategy(), *rc::gen::arbitrary<std::uint64_t>());
    for (int n = uniform(0, 4); n > 0; --n) token = mutate_token(token);
    check_token(token);
  }), 3000);
  CHECK(outcomes.refused == 1715);  // cases (fixed RapidCheck seed)
  CHECK(outcomes.valid == 1285);
  CHECK(outcomes.capped == 140);  // refused for the total past kReplayDecisionsMax
}

TEST_CASE("inputs property: any string as a JSON line is a clear error or a line that round-trips",
          "[properties][inputs]") {
  outcomes = {};
  props::require_passed(props::check(1000, [](const std::string& line) { check_line(line); }), 1000);
  CHECK(outcomes.refused == 1000);  // every case: noise is never a campaign line
  CHECK(outcomes.valid == 0);
}

TEST_CASE("inputs property: mutated JSON lines are a clear error or round-trip", "[properties][inputs]") {
  outcomes = {};
  props::require_passed(props::check(2000, [] {
    std::string line = gen_line();
    for (int n = uniform(0, 4); n > 0; --n) line = mutate_line(line);
    check_line(line);
  }), 2000);
  CHECK(outcomes.refused == 1441);  // cases (fixed RapidCheck seed); 3 have
  CHECK(outcomes.valid == 559);     // "steps":0, the adaptive bound, valid since it adapts
}

TEST_CASE("inputs property: mutated shard files are a clear error or a campaign that round-trips",
          "[properties][inputs]") {
  outcomes = {};
  props::require_passed(props::check(1000, [] {
    std::string text = shard_file();
    for (int n = uniform(0, 3); n > 0; --n) text = mutate_file(text);
    check_file(text);
  }), 1000);
  CHECK(outcomes.refused == 646);  // cases (fixed RapidCheck seed)
  CHECK(outcomes.valid == 354);
}
