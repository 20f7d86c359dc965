// The runner's commands on top of catalog.hpp and explore.hpp. CLI11 parses;
// everything it cannot check (command and scenario names, numbers, tokens)
// is checked here, and every bad input ends with "lockstep-scenarios: <what>"
// and status 2. So does any exception that reaches the top, std::bad_alloc
// included: the runner never ends in an abort.
#include "scenarios/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <array>
#include <map>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "exploration/progress.hpp"
#include "scenarios/campaign_cli.hpp"
#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"
#include "lockstep_version.hpp"
#include "sim/html_report.hpp"
#include "sim/input.hpp"

namespace lockstep::scenarios {
namespace {

using exploration::describe_strategy;
using exploration::Env;
using exploration::kDfsBoundMax;
using exploration::kSchedulesMax;
using exploration::ThrottledProgress;

constexpr const char* kProgram = "lockstep-scenarios";

int list(std::ostream& out) {
  for (const auto& s : catalog())
    out << fmt::format("{:<40} {}\n  expects {}\n", s.name, s.summary, s.expect.describe());
  return kExitHeld;
}

int run(const std::vector<std::string>& names, const ExploreConfig& config, bool dump, std::ostream& out,
        std::ostream& err) {
  std::vector<const Scenario*> selected;
  try {
    selected = select_scenarios(names);
  } catch (const std::invalid_argument& e) {
    return usage_error(err, e.what());
  }
  std::size_t held = 0;
  ThrottledProgress progress(err);  // long runs only
  for (const Scenario* s : selected) {
    Exploration e = explore(*s, config, [&](std::uint64_t done, std::uint64_t planned) {
      progress(s->name, done, planned);
    });
    held += e.held ? 1 : 0;
    out << render(e, dump) << std::flush;
  }
  out << fmt::format("{}: {} of {} scenarios as expected ({} per scenario, {}, seed {})\n",
                     held == selected.size() ? "green" : "RED", held, selected.size(),
                     config.strategy == sim::Strategy::Kind::fifo ? std::uint64_t{1} : config.schedules,
                     describe_strategy(config), config.seed);
  return held == selected.size() ? kExitHeld : kExitNotHeld;
}

// A scenario and a replay token to run on it, both checked.
struct Replay {
  const Scenario* scenario = nullptr;
  sim::Strategy strategy = sim::Strategy::fifo();
  std::uint64_t seed = 0;
};

// parse_replay() finds NAME and parses TOKEN, or says why it cannot.
std::optional<std::string> parse_replay(const std::string& name, const std::string& token, Replay& out) {
  out.scenario = find_scenario(name);
  if (out.scenario == nullptr) return fmt::format("unknown scenario {} (see `list`)", sim::quote(name));
  return sim::try_parse_token(token, out.strategy, out.seed);
}

// judge() prints the expectation's line for `r` and returns the status.
int judge(const Scenario& s, const sim::Report& r, std::ostream& out) {
  bool ok = matches(s.expect, r);
  out << fmt::format("{} {} expects {}\n", ok ? "ok  " : "FAIL", s.name, s.expect.describe());
  return ok ? kExitHeld : kExitNotHeld;
}

// replay runs the TOKEN argument and nothing else: LOCKSTEP_REPLAY never
// stands in for it (an empty TOKEN is an error, not "no token"), and
// run_schedule() gives the run the parsed token, so the variable is not read.
// With --graph, a deadlock or leak also writes its wait-for graph as DOT.
int replay(const std::string& name, const std::string& token, const std::string& graph_path, std::ostream& out,
           std::ostream& err) {
  Replay p;
  if (auto why = parse_replay(name, token, p)) return usage_error(err, *why);
  sim::Report r;
  try {
    r = run_schedule(*p.scenario, p.strategy, p.seed, graph_path);
  } catch (const Misuse& e) {  // the graph file cannot be written
    return usage_error(err, e.what());
  }
  out << sim::to_string(r);
  return judge(*p.scenario, r, out);
}

// report runs TOKEN as replay does and writes the run as one HTML page
// (sim/html_report.hpp) whatever its verdict; the status is replay's.
int report(const std::string& name, const std::string& token, const std::string& path, std::ostream& out,
           std::ostream& err) {
  Replay p;
  if (auto why = parse_replay(name, token, p)) return usage_error(err, *why);
  const Scenario& s = *p.scenario;
  sim::RecordedRun run = sim::run_recorded(s.body, options_for(s, p.strategy, p.seed));
  std::string command = replay_command(s.name, run.report.replay_token);
  try {
    sim::write_html_report(run, {s.name, command}, path);
  } catch (const Misuse& e) {
    return usage_error(err, e.what());
  }
  out << fmt::format("{}: {}\n", path, run.report.message);
  return judge(s, run.report, out);
}

// The exploration flags `run` and `fuzz` share, as typed: CLI11 only collects
// the numbers (it would clamp "-1" to 2^64-1 and print a 300-digit range),
// and explore_config() reads them with the replay token's bounds and wording.
struct ExploreFlags {
  std::string strategy = "portfolio";
  std::string schedules = "100", seed = "1", depth = "3", steps = "adaptive";
  std::string delays, preemptions;  // dfs: at most one; neither is --delays 2
  bool no_dump = false;
};

// `strategies` are the ones the command allows.
void add_explore_options(CLI::App* cmd, ExploreFlags& flags, const std::vector<std::string>& strategies) {
  cmd->add_option("--strategy", flags.strategy, fmt::format("{}", fmt::join(strategies, ", ")))
      ->check(CLI::IsMember(strategies))
      ->capture_default_str();
  cmd->add_option("--schedules", flags.schedules, fmt::format("schedules per scenario, 1..{}", kSchedulesMax))
      ->capture_default_str();
  cmd->add_option("--seed", flags.seed,
                  fmt::format("seed of the first schedule (schedule i uses seed + i), 0..{}", sim::kU64Max))
      ->capture_default_str();
  cmd->add_option("--depth", flags.depth, fmt::format("pct: bug depth, 1..{}", sim::kPctDepthMax))
      ->capture_default_str();
  cmd->add_option("--steps", flags.steps,
                  fmt::format("pct: steps over which change points are drawn, 1..{}, or adaptive "
                              "(the longest schedule run so far)",
                              sim::kU64Max))
      ->capture_default_str();
  cmd->add_option("--delays", flags.delays,
                  fmt::format("dfs: search every schedule with at most this many deviations from FIFO, 0..{} "
                              "(default 2)",
                              kDfsBoundMax));
  cmd->add_option("--preemptions", flags.preemptions,
                  fmt::format("dfs: search every schedule with at most this many preemptions, 0..{}", kDfsBoundMax));
  cmd->add_flag("--no-dump", flags.no_dump, "failures without their goroutine dump");
}

std::uint64_t flag_number(const std::string& text, const char* flag, std::uint64_t min, std::uint64_t max) {
  auto value = sim::parse_whole(text, min, max);
  if (!value) throw std::invalid_argument(sim::not_in_range(flag, min, max, sim::quote(text)));
  return *value;
}

// explore_config() reads the flags; throws std::invalid_argument naming the
// first number out of its range (every number is checked, pct's or not).
ExploreConfig explore_config(const ExploreFlags& flags) {
  ExploreConfig c;
  // CLI11 has checked the name is one the command allows.
  c.strategy = exploration::parse_strategy(flags.strategy).value();
  if (!flags.delays.empty() && !flags.preemptions.empty())
    throw std::invalid_argument("--delays and --preemptions: give one bound, not both");
  if (!flags.preemptions.empty()) {
    c.dfs_kind = sim::Bound::preemptions;
    c.dfs_bound = static_cast<unsigned>(flag_number(flags.preemptions, "--preemptions", 0, kDfsBoundMax));
  } else if (!flags.delays.empty()) {
    c.dfs_bound = static_cast<unsigned>(flag_number(flags.delays, "--delays", 0, kDfsBoundMax));
  }
  c.schedules = flag_number(flags.schedules, "--schedules", 1, kSchedulesMax);
  c.seed = flag_number(flags.seed, "--seed", 0, sim::kU64Max);
  c.pct_depth = static_cast<unsigned>(flag_number(flags.depth, "--depth", 1, sim::kPctDepthMax));
  if (flags.steps == "adaptive")
    c.pct_steps = sim::kPctStepsAdaptive;
  else if (auto steps = sim::parse_whole(flags.steps, 1, sim::kU64Max))
    c.pct_steps = *steps;
  else
    throw std::invalid_argument(fmt::format("--steps must be adaptive or a whole number in 1..{}, not {}",
                                            sim::kU64Max, sim::quote(flags.steps)));
  return c;
}

constexpr std::array<const char*, 6> kCommands{"list", "run", "replay", "report", "fuzz", "merge"};

// unknown_command() is the message for a first argument that is neither a
// command nor --help (CLI11 would only say a subcommand is required), or "".
std::string unknown_command(int argc, const char* const* argv) {
  if (argc < 2) return "";
  std::string_view first = argv[1];
  if (first == "-h" || first == "--help" || first == "--version") return "";
  for (const char* c : kCommands)
    if (first == c) return "";
  return fmt::format("unknown command {} (expected one of {}; see --help)", sim::quote(first),
                     fmt::join(kCommands, ", "));
}

int dispatch(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const Env& env) {
  if (auto what = unknown_command(argc, argv); !what.empty()) return usage_error(err, what);
  CLI::App app{"Run the lockstep scenario catalog in a simulation: patterns, the dispatch service, mistakes.",
               kProgram};
  app.require_subcommand(1);
  // "lockstep 0.1.0": the library's version (project() in CMakeLists.txt), which is the runner's.
  app.set_version_flag("--version", fmt::format("lockstep {}", kVersion), "print the lockstep version and exit");

  app.add_subcommand("list", "list the scenarios and what each expects");

  auto* run_cmd = app.add_subcommand("run", "explore schedules of scenarios (all, if none named)");
  std::vector<std::string> names;
  ExploreFlags run_flags;
  run_cmd->add_option("scenarios", names, "scenario names, or groups such as mistakes/");
  add_explore_options(run_cmd, run_flags, {"fifo", "random", "pct", "dfs", "pos", "portfolio"});

  auto* replay_cmd = app.add_subcommand("replay", "rerun one schedule of a scenario from its replay token");
  std::string replay_name, token, graph_path;
  replay_cmd->add_option("scenario", replay_name, "scenario name")->required();
  replay_cmd->add_option("token", token, "a replay token, e.g. lockstep1:random:seed=7 (LOCKSTEP_REPLAY is not read)")
      ->required();
  replay_cmd->add_option("--graph", graph_path,
                         "on a deadlock or leak, write the wait-for graph as Graphviz DOT to this file");

  auto* report_cmd = app.add_subcommand("report", "rerun one schedule from its replay token and write it as one HTML page");
  std::string report_name, report_token, report_path;
  report_cmd->add_option("scenario", report_name, "scenario name")->required();
  report_cmd->add_option("token", report_token, "a replay token, as replay takes it")->required();
  report_cmd->add_option("-o,--out", report_path, "the HTML file to write, e.g. failure.html")->required();

  auto* fuzz_cmd = app.add_subcommand("fuzz", "a campaign, or one shard of it: failures and a summary as JSON lines");
  FuzzRequest fuzz;
  ExploreFlags fuzz_flags;
  fuzz_cmd->add_option("scenarios", fuzz.names, "scenario names, or groups such as mistakes/");
  add_explore_options(fuzz_cmd, fuzz_flags, {"random", "pct", "dfs", "pos", "portfolio"});
  fuzz_cmd->add_option("--shard", fuzz.shard,
                       "run shard i of n (schedules k with k % n == i); default: TEST_SHARD_INDEX/TEST_TOTAL_SHARDS, "
                       "else 0/1");
  fuzz_cmd->add_option("--out", fuzz.out_path, "write the JSON lines to this file (default: stdout)");

  auto* merge_cmd = app.add_subcommand("merge", "merge the JSON lines of every shard of a campaign");
  std::vector<std::string> merge_paths;
  std::string merge_out;
  merge_cmd->add_option("files", merge_paths, "one file per shard, as fuzz wrote them")->required();
  merge_cmd->add_option("--out", merge_out, "write the merged JSON lines to this file (default: stdout)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitHeld;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitHeld;
  } catch (const CLI::CallForVersion&) {
    out << app.version() << '\n';
    return kExitHeld;
  } catch (const CLI::ParseError& e) {
    return usage_error(err, fmt::format("{} (see --help)", e.what()));
  }

  if (app.got_subcommand("list")) return list(out);
  if (app.got_subcommand("replay")) return replay(replay_name, token, graph_path, out, err);
  if (app.got_subcommand("report")) return report(report_name, report_token, report_path, out, err);
  if (app.got_subcommand("merge")) return merge_command(merge_paths, merge_out, out, err);
  bool fuzzing = app.got_subcommand("fuzz");
  const ExploreFlags& flags = fuzzing ? fuzz_flags : run_flags;
  ExploreConfig config;
  try {
    config = explore_config(flags);
  } catch (const std::invalid_argument& e) {
    return usage_error(err, e.what());
  }
  if (fuzzing) {
    fuzz.config.explore = config;
    fuzz.config.dump = !flags.no_dump;
    return fuzz_command(fuzz, out, err, env);
  }
  return run(names, config, !flags.no_dump, out, err);
}

}  // namespace

int usage_error(std::ostream& err, const std::string& what) {
  err << kProgram << ": " << sim::one_line(what) << "\n";
  return kExitUsage;
}

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const Env& env) {
  try {
    return dispatch(argc, argv, out, err, env);
  } catch (const std::bad_alloc&) {
    return usage_error(err, "out of memory (std::bad_alloc)");
  } catch (const std::exception& e) {
    std::string_view what = e.what();
    return usage_error(err, what.empty() ? "an exception with no message" : std::string(what));
  } catch (...) {
    return usage_error(err, "an exception that is not a std::exception");
  }
}

}  // namespace lockstep::scenarios
