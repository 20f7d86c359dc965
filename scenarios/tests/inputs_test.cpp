// The runner against a hostile user (issue 10, item 2): a corpus of
// malformed command lines, replay tokens and shard files, each run through
// run_cli() as the binary runs it. Every bad input must end with status 2
// and exactly one line on stderr, "lockstep-scenarios: <what>", naming what
// the user typed and, for a number, its real range; nothing may crash,
// abort, hang or allocate what a short input asks for. The few valid inputs
// at the edges (the largest seed, an empty decision list) must run.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/cli.hpp"
#include "scenarios/tests/cli_support.hpp"

using namespace lockstep::scenarios;
using namespace lockstep::scenarios::test;

namespace {

struct Probe {
  std::vector<std::string> args;  // "{dir}" stands for a scratch folder
  std::string err;                // bad input: all of stderr, less "lockstep-scenarios: " and "\n";
                                  // a valid run: its first line of stderr ("" for none)
  int status = kExitUsage;
  std::optional<std::string> file{};          // written to {dir}/probe.jsonl before the run
  std::map<std::string, std::string> env{};   // the sharding environment
};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

constexpr const char* kLeak = "mistakes/leak_no_stop";

// One schedule of leak_no_stop, as fuzz --seed 5 --schedules 1 --no-dump writes it.
const std::string kFailure =
    R"({"type":"failure","scenario":"mistakes/leak_no_stop","schedule":0,"seed":5,"strategy":"random",)"
    R"("verdict":"leak","message":"leak: main returned but 1 fiber remains blocked",)"
    R"("token":"lockstep1:random:seed=5","expected":true,"dump":""})";
const std::string kSummary =
    R"({"type":"summary","shard":"0/1","strategy":"random","seed":5,"schedules_per_scenario":1,"schedules":1,)"
    R"("verdicts":{"passed":0,"deadlock":0,"leak":1,"livelock":0,"exception":0,"misuse":0,"liveness":0,"race":0},)"
    R"("expected_failures":1,"unexpected_failures":0,"wall_seconds":0.001,"scenarios":[{"name":)"
    R"("mistakes/leak_no_stop","expects":"leak","schedules":1,"verdicts":{"passed":0,"deadlock":0,"leak":1,)"
    R"("livelock":0,"exception":0,"misuse":0,"liveness":0,"race":0},"expected_failures":1,"unexpected_failures":0}]})";

// shard() is a shard file: the failure line (maybe changed), then the summary (maybe changed).
std::string shard(const std::string& failure = kFailure, const std::string& summary = kSummary) {
  return failure + "\n" + summary + "\n";
}

Probe replay(const std::string& token, const std::string& why) {
  return {{"replay", kLeak, token}, "malformed replay token \"" + token + "\": " + why};
}

const std::string kSeedRange = "must be a whole number in 0..18446744073709551615, not ";

std::vector<Probe> corpus() {
  const std::string commands = "(expected one of list, run, replay, report, fuzz, merge; see --help)";
  const std::string probe = "{dir}/probe.jsonl";
  std::string long_name(300, 'n');
  std::string long_token = "lockstep1:replay:seed=1:d=";
  for (int i = 0; i < 50'000; ++i) long_token += "1.";
  long_token += "y";
  return {
      // ---- commands and CLI11's own checks
      {{}, "A subcommand is required (see --help)"},
      {{"bogus"}, "unknown command \"bogus\" " + commands},
      {{""}, "unknown command \"\" " + commands},
      {{"RUN"}, "unknown command \"RUN\" " + commands},
      {{"run\n"}, "unknown command \"run\\n\" " + commands},
      {{"--bogus", "run"}, "unknown command \"--bogus\" " + commands},
      {{"-x"}, "unknown command \"-x\" " + commands},
      {{"list", "extra"}, "The following argument was not expected: extra (see --help)"},
      {{"run", "--fast"}, "The following argument was not expected: --fast (see --help)"},
      {{"run", "--no-dump=maybe"}, "Could not convert: --no-dump = maybe (see --help)"},
      {{"run", "--strategy", "bfs"}, "--strategy: bfs not in {fifo,random,pct,dfs,pos,portfolio} (see --help)"},
      {{"run", "--strategy", "PCT"}, "--strategy: PCT not in {fifo,random,pct,dfs,pos,portfolio} (see --help)"},
      {{"run", "--strategy"}, "--strategy: 1 required TEXT:{fifo,random,pct,dfs,pos,portfolio} missing (see --help)"},
      {{"run", "--strategy", "a\nb"}, "--strategy: a\\nb not in {fifo,random,pct,dfs,pos,portfolio} (see --help)"},
      {{"run", "--seed", "5", "--seed", "6"}, "--seed: At Most 1 required but received 2 (see --help)"},
      {{"run", "--seed"}, "--seed: 1 required TEXT missing (see --help)"},
      // ---- scenario names
      {{"run", "mistakes/nope"}, "unknown scenario \"mistakes/nope\" (see `list`)"},
      {{"run", "nope/"}, "unknown scenario \"nope/\" (see `list`)"},
      {{"run", ""}, "unknown scenario \"\" (see `list`)"},
      {{"run", "/"}, "unknown scenario \"/\" (see `list`)"},
      {{"run", "mistakes/leak_no_stop\n"}, "unknown scenario \"mistakes/leak_no_stop\\n\" (see `list`)"},
      {{"run", "MISTAKES/"}, "unknown scenario \"MISTAKES/\" (see `list`)"},
      {{"run", "mistakes/leak_no_stöp"}, "unknown scenario \"mistakes/leak_no_stöp\" (see `list`)"},
      {{"run", "bad\xff\xfe"}, "unknown scenario \"bad\\xff\\xfe\" (see `list`)"},
      {{"run", "a\u2028b"}, "unknown scenario \"a\\u{2028}b\" (see `list`)"},
      {{"run", "\x1b[31mred"}, "unknown scenario \"\\x1b[31mred\" (see `list`)"},
      {{"run", long_name}, "unknown scenario \"" + std::string(80, 'n') + "\"... (300 bytes) (see `list`)"},
      {{"run", "--", "--seed"}, "unknown scenario \"--seed\" (see `list`)"},
      {{"run", kLeak, "mistakes/nope"}, "unknown scenario \"mistakes/nope\" (see `list`)"},
      {{"replay", "nope", "lockstep1:fifo:seed=0"}, "unknown scenario \"nope\" (see `list`)"},
      {{"fuzz", "mistakes/nope"}, "unknown scenario \"mistakes/nope\" (see `list`)"},
      // ---- numeric flags: digits only, the real range, no clamping
      {{"run", "--seed", "-1"}, "--seed " + kSeedRange + "\"-1\""},
      {{"run", "--seed=-1"}, "--seed " + kSeedRange + "\"-1\""},
      {{"run", "--seed", "18446744073709551616"}, "--seed " + kSeedRange + "\"18446744073709551616\""},
      {{"run", "--seed", "99999999999999999999999999"}, "--seed " + kSeedRange + "\"99999999999999999999999999\""},
      {{"run", "--seed", "0x10"}, "--seed " + kSeedRange + "\"0x10\""},
      {{"run", "--seed", "1e3"}, "--seed " + kSeedRange + "\"1e3\""},
      {{"run", "--seed", " 5"}, "--seed " + kSeedRange + "\" 5\""},
      {{"run", "--seed", "5 "}, "--seed " + kSeedRange + "\"5 \""},
      {{"run", "--seed", ""}, "--seed " + kSeedRange + "\"\""},
      {{"run", "--seed", "+5"}, "--seed " + kSeedRange + "\"+5\""},
      {{"run", "--seed", "1.5"}, "--seed " + kSeedRange + "\"1.5\""},
      {{"run", "--seed", "١٢"}, "--seed " + kSeedRange + "\"١٢\""},
      {{"fuzz", "--seed", "-1"}, "--seed " + kSeedRange + "\"-1\""},
      {{"run", "--schedules", "0"}, "--schedules must be a whole number in 1..1000000000, not \"0\""},
      {{"run", "--schedules", "1000000001"}, "--schedules must be a whole number in 1..1000000000, not \"1000000001\""},
      {{"run", "--schedules", "-5"}, "--schedules must be a whole number in 1..1000000000, not \"-5\""},
      {{"run", "--schedules", "many"}, "--schedules must be a whole number in 1..1000000000, not \"many\""},
      {{"fuzz", "--schedules", "18446744073709551616"},
       "--schedules must be a whole number in 1..1000000000, not \"18446744073709551616\""},
      {{"run", "--depth", "0"}, "--depth must be a whole number in 1..64, not \"0\""},
      {{"run", "--depth", "65"}, "--depth must be a whole number in 1..64, not \"65\""},
      {{"run", "--depth", "4294967297"}, "--depth must be a whole number in 1..64, not \"4294967297\""},
      {{"run", "--strategy", "pct", "--steps", "0"}, "--steps must be adaptive or a whole number in 1..18446744073709551615, not \"0\""},
      {{"run", "--steps", "-1"}, "--steps must be adaptive or a whole number in 1..18446744073709551615, not \"-1\""},
      {{"fuzz", "--steps", "18446744073709551616"},
       "--steps must be adaptive or a whole number in 1..18446744073709551615, not \"18446744073709551616\""},
      // ---- shards: the flag and the environment
      {{"fuzz", "--strategy", "fifo"}, "--strategy: fifo not in {random,pct,dfs,pos,portfolio} (see --help)"},
      {{"fuzz", "--shard", "3/2"}, "--shard \"3/2\": shard index 3 is not below the shard count 2 (indices run 0..1)"},
      {{"fuzz", "--shard", "0/0"}, "--shard \"0/0\": the shard count must be at least 1"},
      {{"fuzz", "--shard", "a/b"},
       "--shard \"a/b\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, such as 0/4"},
      {{"fuzz", "--shard", ""},
       "--shard \"\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, such as 0/4"},
      {{"fuzz", "--shard", "1/2/3"},
       "--shard \"1/2/3\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, such as 0/4"},
      {{"fuzz", "--shard", "99999999999999999999/3"},
       "--shard \"99999999999999999999/3\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, "
       "such as 0/4"},
      {{"fuzz", "--shard", "-1/2"},
       "--shard \"-1/2\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, such as 0/4"},
      {{"fuzz", "--shard"}, "--shard: 1 required TEXT missing (see --help)"},
      {{"fuzz"},
       "TEST_SHARD_INDEX=0 TEST_TOTAL_SHARDS=x: both must be whole numbers in 0..18446744073709551615",
       kExitUsage,
       std::nullopt,
       {{"TEST_TOTAL_SHARDS", "x"}, {"TEST_SHARD_INDEX", "0"}}},
      {{"fuzz"},
       "TEST_SHARD_INDEX=-1 TEST_TOTAL_SHARDS=2: both must be whole numbers in 0..18446744073709551615",
       kExitUsage,
       std::nullopt,
       {{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "-1"}}},
      {{"fuzz"},
       "TEST_SHARD_INDEX is set but TEST_TOTAL_SHARDS is not (sharding needs both)",
       kExitUsage,
       std::nullopt,
       {{"TEST_SHARD_INDEX", "0"}}},
      {{"fuzz", "--shard", "0/2"},
       "--shard 0/2 disagrees with the environment's shard 1/2 (TEST_SHARD_INDEX/TEST_TOTAL_SHARDS)",
       kExitUsage,
       std::nullopt,
       {{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "1"}}},
      {{"fuzz", kLeak, "--out", "{dir}/no/such/out.jsonl"},
       "--out {dir}/no/such/out.jsonl: cannot write the file: No such file or directory"},
      {{"fuzz", kLeak, "--out", "{dir}"}, "--out {dir}: cannot write the file: Is a directory"},
      // ---- replay tokens: shape, fields, numbers, duplicates
      {{"replay"}, "scenario is required (see --help)"},
      {{"replay", kLeak}, "token is required (see --help)"},
      {{"replay", kLeak, ""}, "empty replay token (expected lockstep1:<strategy>:seed=<n>[:...])"},
      replay("lockstep1", "expected lockstep1:<strategy>:seed=<n>[:...]"),
      replay("lockstep1:", "expected lockstep1:<strategy>:seed=<n>[:...]"),
      replay("lockstep1:random", "expected lockstep1:<strategy>:seed=<n>[:...]"),
      replay("lockstep2:random:seed=1", "expected lockstep1:<strategy>:seed=<n>[:...]"),
      replay("LOCKSTEP1:random:seed=1", "expected lockstep1:<strategy>:seed=<n>[:...]"),
      replay(" lockstep1:random:seed=1", "expected lockstep1:<strategy>:seed=<n>[:...]"),
      replay("lockstep1:dfs:seed=1", "unknown strategy \"dfs\" (expected fifo, random, pct, replay or pos)"),
      replay("lockstep1::seed=1", "unknown strategy \"\" (expected fifo, random, pct, replay or pos)"),
      replay("lockstep1:random:seed=", "seed " + kSeedRange + "\"\""),
      replay("lockstep1:random:seed=-1", "seed " + kSeedRange + "\"-1\""),
      replay("lockstep1:random:seed=18446744073709551616", "seed " + kSeedRange + "\"18446744073709551616\""),
      replay("lockstep1:random:seed=0x10", "seed " + kSeedRange + "\"0x10\""),
      replay("lockstep1:random:seed=1 ", "seed " + kSeedRange + "\"1 \""),
      replay("lockstep1:random:seed=١", "seed " + kSeedRange + "\"١\""),
      replay("lockstep1:random:seed=1:", "\"\" is not key=value"),
      replay("lockstep1:random:seed", "\"seed\" is not key=value"),
      replay("lockstep1:random:=1", "unexpected field \"\" for random"),
      replay("lockstep1:random:seed=1:seed=2", "field \"seed\" given twice"),
      replay("lockstep1:random:seed=1:seed=1", "field \"seed\" given twice"),
      replay("lockstep1:random:depth=3:seed=1", "unexpected field \"depth\" for random"),
      replay("lockstep1:fifo:seed=1:d=0", "unexpected field \"d\" for fifo"),
      replay("lockstep1:pct:depth=3:steps=10", "missing seed=<n>"),
      replay("lockstep1:pct:seed=1:depth=0", "depth must be a whole number in 1..64, not \"0\""),
      replay("lockstep1:pct:seed=1:depth=65", "depth must be a whole number in 1..64, not \"65\""),
      replay("lockstep1:pct:seed=1:depth=4294967297", "depth must be a whole number in 1..64, not \"4294967297\""),
      replay("lockstep1:pct:seed=1:steps=0", "steps must be a whole number in 1..18446744073709551615, not \"0\""),
      replay("lockstep1:pct:seed=1:steps=18446744073709551616",
             "steps must be a whole number in 1..18446744073709551615, not \"18446744073709551616\""),
      replay("lockstep1:pct:seed=1:depth=3:depth=3", "field \"depth\" given twice"),
      replay("lockstep1:replay:seed=1:then=pct", "then must be fifo or random, not \"pct\""),
      replay("lockstep1:replay:seed=1:then=", "then must be fifo or random, not \"\""),
      replay("lockstep1:replay:seed=1:then=fifo:then=random", "field \"then\" given twice"),
      // ---- decision lists: items, runs, the cap
      replay("lockstep1:replay:seed=1:then=fifo:d=0x4294967296",
             "repeat count must be a whole number in 1..134217728, not \"4294967296\""),
      replay("lockstep1:replay:seed=1:then=fifo:d=0x300000000",
             "repeat count must be a whole number in 1..134217728, not \"300000000\""),
      replay("lockstep1:replay:seed=1:d=0x134217729",
             "repeat count must be a whole number in 1..134217728, not \"134217729\""),
      replay("lockstep1:replay:seed=1:d=0x134217728.1",
             "d= holds more than 134217728 decisions, the most a token may hold"),
      replay("lockstep1:replay:seed=1:d=1x100000000.2x100000000",
             "d= holds more than 134217728 decisions, the most a token may hold"),
      replay("lockstep1:replay:seed=1:d=1x0", "repeat count must be a whole number in 1..134217728, not \"0\""),
      replay("lockstep1:replay:seed=1:d=1.", "d= has an empty item (two dots, or a dot at either end)"),
      replay("lockstep1:replay:seed=1:d=.1", "d= has an empty item (two dots, or a dot at either end)"),
      replay("lockstep1:replay:seed=1:d=1..2", "d= has an empty item (two dots, or a dot at either end)"),
      replay("lockstep1:replay:seed=1:d=x3", "decision must be a whole number in 0..4294967295, not \"\""),
      replay("lockstep1:replay:seed=1:d=1x", "repeat count must be a whole number in 1..134217728, not \"\""),
      replay("lockstep1:replay:seed=1:d=1x2x3", "repeat count must be a whole number in 1..134217728, not \"2x3\""),
      replay("lockstep1:replay:seed=1:d=0X3", "decision must be a whole number in 0..4294967295, not \"0X3\""),
      replay("lockstep1:replay:seed=1:d=-1", "decision must be a whole number in 0..4294967295, not \"-1\""),
      replay("lockstep1:replay:seed=1:d=4294967296",
             "decision must be a whole number in 0..4294967295, not \"4294967296\""),
      replay("lockstep1:replay:seed=1:d=1,2", "decision must be a whole number in 0..4294967295, not \"1,2\""),
      replay("lockstep1:replay:seed=1:d=1:d=2", "field \"d\" given twice"),
      {{"replay", kLeak, "lockstep1:random:seed=1\n"},
       "malformed replay token \"lockstep1:random:seed=1\\n\": seed " + kSeedRange + "\"1\\n\""},
      {{"replay", kLeak, "lockstep1:random:seed=\xff"},
       "malformed replay token \"lockstep1:random:seed=\\xff\": seed " + kSeedRange + "\"\\xff\""},
      {{"replay", kLeak, long_token},
       "malformed replay token \"" + long_token.substr(0, 80) + "\"... (100027 bytes): decision must be a whole "
       "number in 0..4294967295, not \"y\""},
      // ---- merge: paths
      {{"merge"}, "files is required (see --help)"},
      {{"merge", "{dir}"}, "{dir}: is a directory, not a shard file"},
      {{"merge", "{dir}/missing.jsonl"}, "{dir}/missing.jsonl: cannot read the file: No such file or directory"},
      {{"merge", probe + "/x"}, "{dir}/probe.jsonl/x: cannot read the file: Not a directory", kExitUsage, shard()},
      {{"merge", ""}, "\"\": an empty path names no file"},
      {{"merge", probe, "--out", "{dir}"}, "--out {dir}: cannot write the file: Is a directory", kExitUsage, shard()},
      {{"merge", probe, "--out"}, "--out: 1 required TEXT missing (see --help)"},
      // ---- merge: lines that are not what fuzz writes
      {{"merge", probe}, "{dir}/probe.jsonl: no summary line (was the shard cut short?)", kExitUsage, ""},
      {{"merge", probe}, "{dir}/probe.jsonl: no summary line (was the shard cut short?)", kExitUsage, "\n\n"},
      {{"merge", probe}, "{dir}/probe.jsonl: no summary line (was the shard cut short?)", kExitUsage, kFailure + "\n"},
      {{"merge", probe},
       "{dir}/probe.jsonl:2: not a JSON object: the line ends inside a value (cut short?)",
       kExitUsage,
       kFailure + "\n" + kSummary.substr(0, 100)},
      {{"merge", probe},
       "{dir}/probe.jsonl:1: not a JSON object: the line ends inside a value (cut short?)",
       kExitUsage,
       kFailure.substr(0, kFailure.size() - 1)},
      {{"merge", probe}, "{dir}/probe.jsonl:1: not a JSON object: invalid JSON near column 3", kExitUsage, "{not json"},
      {{"merge", probe}, "{dir}/probe.jsonl:1: not a JSON object, but an array", kExitUsage, "[1,2]"},
      {{"merge", probe}, "{dir}/probe.jsonl:1: not a JSON object, but a single value", kExitUsage, "null"},
      {{"merge", probe},
       "{dir}/probe.jsonl:1: not a JSON object: invalid JSON near column 135",
       kExitUsage,
       shard(replaced(kFailure, "main returned", "main \xff returned"))},
      {{"merge", probe},
       "{dir}/probe.jsonl:2: not a JSON object: invalid JSON near column " + std::to_string(kSummary.size() + 1),
       kExitUsage,
       shard(kFailure, kSummary + "}")},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"seed\" given twice", kExitUsage,
       shard(replaced(kFailure, R"("seed":5,)", R"("seed":5,"seed":6,)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:1: missing field \"type\"", kExitUsage, "{}"},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"type\" must be failure or summary, not \"progress\"",
       kExitUsage, R"({"type":"progress"})"},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"type\" must be a string, not 1", kExitUsage, R"({"type":1})"},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"seed\" must be a whole number in 0..18446744073709551615, not -1",
       kExitUsage, shard(replaced(kFailure, R"("seed":5)", R"("seed":-1)"))},
      {{"merge", probe},
       "{dir}/probe.jsonl:1: field \"seed\" must be a whole number in 0..18446744073709551615, not "
       "1.8446744073709552e+19",
       kExitUsage, shard(replaced(kFailure, R"("seed":5)", R"("seed":18446744073709551616)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:1: not a JSON object: a number too large for a double", kExitUsage,
       shard(replaced(kFailure, R"("seed":5)", R"("seed":1e400)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"schedule\" must be a whole number in 0..999999999, not \"0\"",
       kExitUsage, shard(replaced(kFailure, R"("schedule":0)", R"("schedule":"0")"))},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"verdict\": a failure cannot have passed", kExitUsage,
       shard(replaced(kFailure, R"("verdict":"leak")", R"("verdict":"passed")"))},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"expected\" must be true or false, not 1", kExitUsage,
       shard(replaced(kFailure, R"("expected":true)", R"("expected":1)"))},
      {{"merge", probe},
       "{dir}/probe.jsonl:1: field \"token\": malformed replay token \"lockstep1:random:seed=5'; rm -rf ~; '\": "
       "seed " + kSeedRange + "\"5'; rm -rf ~; '\"",
       kExitUsage, shard(replaced(kFailure, "seed=5\"", "seed=5'; rm -rf ~; '\""))},
      {{"merge", probe}, "{dir}/probe.jsonl:1: field \"scenario\" must be a non-empty line of text, not \"a\\nb\"",
       kExitUsage, shard(replaced(kFailure, "mistakes/leak_no_stop", "a\\nb"))},
      {{"merge", probe}, "{dir}/probe.jsonl:2: field \"schedules_per_scenario\" must be a whole number in "
       "1..1000000000, not 0", kExitUsage,
       shard(kFailure, replaced(kSummary, R"("schedules_per_scenario":1)", R"("schedules_per_scenario":0)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:2: field \"depth\" must be a whole number in 1..64, not 65", kExitUsage,
       shard(kFailure, replaced(kSummary, R"("strategy":"random")", R"("strategy":"pct","depth":65,"steps":1)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:2: field \"strategy\" must be random, pct, dfs, pos or portfolio, not \"fifo\"", kExitUsage,
       shard(kFailure, replaced(kSummary, R"("strategy":"random")", R"("strategy":"fifo")"))},
      {{"merge", probe}, "{dir}/probe.jsonl:2: field \"wall_seconds\" must be a number in 0..1000000000, not -1",
       kExitUsage, shard(kFailure, replaced(kSummary, R"("wall_seconds":0.001)", R"("wall_seconds":-1)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:2: field \"verdicts\": unknown verdict \"sleepy\"", kExitUsage,
       shard(kFailure, replaced(kSummary, R"("misuse":0,"liveness":0,"race":0},"expected)", R"("misuse":0,"sleepy":0},"expected)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:2: field \"scenarios\" must be an array, not an object", kExitUsage,
       shard(kFailure, kSummary.substr(0, kSummary.find(R"("scenarios")")) + R"("scenarios":{}})")},
      // ---- merge: counts that disagree (and would wrap if summed)
      {{"merge", probe},
       "{dir}/probe.jsonl: the summary of mistakes/leak_no_stop: its verdicts do not add up to its 1 schedules",
       kExitUsage,
       shard(kFailure, replaced(kSummary, R"("passed":0,"deadlock":0,"leak":1,"livelock":0,"exception":0,"misuse":0,"liveness":0,"race":0},"expected_failures":1,"unexpected_failures":0})",
                                R"("passed":18446744073709551615,"deadlock":0,"leak":2,"livelock":0,"exception":0,"misuse":0,"liveness":0,"race":0},"expected_failures":1,"unexpected_failures":0})"))},
      {{"merge", probe},
       "{dir}/probe.jsonl: the summary of mistakes/leak_no_stop: 2 schedules, but shard 0/1 of 1 schedules runs 1",
       kExitUsage, shard(kFailure, replaced(kSummary, R"("expects":"leak","schedules":1)", R"("expects":"leak","schedules":2)"))},
      {{"merge", probe}, "{dir}/probe.jsonl: the summary's totals are not the sums of its scenarios'", kExitUsage,
       shard(kFailure, replaced(kSummary, R"("schedules_per_scenario":1,"schedules":1)",
                                R"("schedules_per_scenario":1,"schedules":7)"))},
      {{"merge", probe}, "{dir}/probe.jsonl: 0 failure lines, but its summary counts 1 failures", kExitUsage,
       kSummary + "\n"},
      {{"merge", probe},
       "{dir}/probe.jsonl: schedule 0 of mistakes/leak_no_stop ran random with seed 6, not the campaign's random "
       "with seed 5",
       kExitUsage, shard(replaced(kFailure, R"("seed":5)", R"("seed":6)"))},
      {{"merge", probe}, "{dir}/probe.jsonl:3: a line after the summary (line 2)", kExitUsage,
       shard() + kFailure + "\n"},
      // ---- valid inputs at the edges run
      {{"list"}, "", kExitHeld},
      {{"replay", kLeak, "lockstep1:random:seed=18446744073709551615"}, "", kExitHeld},
      {{"replay", kLeak, "lockstep1:replay:seed=1:d="}, "", kExitHeld},
      {{"replay", kLeak, "lockstep1:pct:seed=0:depth=64:steps=18446744073709551615"}, "", kExitHeld},
      {{"replay", kLeak, "lockstep1:replay:seed=007:then=random:d=4294967295.0x1000"}, "", kExitHeld},
      {{"run", kLeak, "--seed", "18446744073709551615", "--schedules", "2"}, "", kExitHeld},
      {{"run", kLeak, "--strategy", "pct", "--depth", "64", "--steps", "18446744073709551615", "--schedules", "1"},
       "", kExitHeld},
      {{"merge", probe}, "green: shard 0/1: 1 schedule of 1 scenario (random, seed 5): leak 1; 1 failure, all expected",
       kExitHeld, shard()},
  };
}

}  // namespace

TEST_CASE("inputs: every malformed command line, token and shard file is one line and status 2", "[inputs]") {
  ScratchDir dir("inputs");
  std::string folder = dir.file("");
  folder.pop_back();  // no trailing '/'
  std::size_t bad = 0, valid = 0;
  for (const Probe& p : corpus()) {
    std::vector<std::string> args;
    for (const auto& a : p.args) args.push_back(replaced(a, "{dir}", folder));
    if (p.file) write_text(folder + "/probe.jsonl", *p.file);
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    Outcome r = cli(argv, env(p.env));
    std::string want = replaced(p.err, "{dir}", folder);
    INFO("args: " << ::Catch::Detail::stringify(args));
    CHECK(r.status == p.status);
    if (p.status == kExitUsage) {
      ++bad;
      CHECK(r.err == "lockstep-scenarios: " + want + "\n");
      CHECK(r.out.empty());
    } else {
      ++valid;
      CHECK(r.err.substr(0, r.err.find('\n')) == want);
    }
    std::filesystem::remove(folder + "/probe.jsonl");
  }
  CHECK(bad == 165);
  CHECK(valid == 8);
}

// LOCKSTEP_REPLAY is for sim::run() inside test binaries; the runner never
// reads it: `replay` runs its TOKEN argument (an empty one is an error about
// the argument), and run and fuzz run their own schedules.
TEST_CASE("inputs: LOCKSTEP_REPLAY never stands in for the runner's own token", "[inputs]") {
  ::setenv("LOCKSTEP_REPLAY", "lockstep1:nonsense", 1);
  auto empty = cli({"replay", kLeak, ""});
  auto token = cli({"replay", "mistakes/missing_receiver", "lockstep1:random:seed=3"});
  auto run = cli({"run", "mistakes/missing_receiver", "--schedules", "1", "--seed", "3"});
  ::unsetenv("LOCKSTEP_REPLAY");
  CHECK(empty.status == kExitUsage);
  CHECK(empty.err == "lockstep-scenarios: empty replay token (expected lockstep1:<strategy>:seed=<n>[:...])\n");
  CHECK(token.status == kExitHeld);
  CHECK(token.out.starts_with("lockstep: deadlock: all fibers are blocked and no timer is pending\n"));
  CHECK(run.status == kExitHeld);
}
