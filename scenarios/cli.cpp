// The runner's commands on top of catalog.hpp and explore.hpp. CLI11 parses;
// everything it cannot check (scenario names, tokens) is checked here, and
// every bad input ends with "lockstep-scenarios: <what>" and status 2.
#include "scenarios/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/campaign_cli.hpp"
#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"
#include "scenarios/progress.hpp"

namespace lockstep::scenarios {
namespace {

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
                     sim::describe(strategy_of(config)), config.seed);
  return held == selected.size() ? kExitHeld : kExitNotHeld;
}

int replay(const std::string& name, const std::string& token, std::ostream& out, std::ostream& err) {
  const Scenario* s = find_scenario(name);
  if (s == nullptr) return usage_error(err, fmt::format("unknown scenario \"{}\" (see `list`)", name));
  sim::Report r;
  try {
    r = run_token(*s, token);
  } catch (const Misuse& e) {
    return usage_error(err, e.what());
  }
  bool held = matches(s->expect, r);
  out << sim::to_string(r);
  out << fmt::format("{} {} expects {}\n", held ? "ok  " : "FAIL", s->name, s->expect.describe());
  return held ? kExitHeld : kExitNotHeld;
}

// The exploration flags `run` and `fuzz` share; `strategies` are the ones allowed.
void add_explore_options(CLI::App* cmd, ExploreConfig& config, std::string& strategy, bool& no_dump,
                         const std::vector<std::string>& strategies) {
  cmd->add_option("--strategy", strategy, fmt::format("{}", fmt::join(strategies, ", ")))
      ->check(CLI::IsMember(strategies))
      ->capture_default_str();
  cmd->add_option("--schedules", config.schedules, "schedules per scenario")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}))
      ->capture_default_str();
  cmd->add_option("--seed", config.seed, "seed of the first schedule (schedule i uses seed + i)")
      ->capture_default_str();
  cmd->add_option("--depth", config.pct_depth, "pct: bug depth")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_option("--steps", config.pct_steps, "pct: steps over which change points are drawn")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--no-dump", no_dump, "failures without their goroutine dump");
}

sim::Strategy::Kind strategy_kind(const std::string& name) {
  return name == "fifo"  ? sim::Strategy::Kind::fifo
         : name == "pct" ? sim::Strategy::Kind::pct
                         : sim::Strategy::Kind::random;
}

}  // namespace

int usage_error(std::ostream& err, const std::string& what) {
  err << kProgram << ": " << what << "\n";
  return kExitUsage;
}

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const Env& env) {
  CLI::App app{"Run the lockstep scenario catalog in a simulation: patterns, the dispatch service, mistakes.",
               kProgram};
  app.require_subcommand(1);

  app.add_subcommand("list", "list the scenarios and what each expects");

  auto* run_cmd = app.add_subcommand("run", "explore schedules of scenarios (all, if none named)");
  std::vector<std::string> names;
  std::string strategy = "random";
  ExploreConfig config;
  bool no_dump = false;
  run_cmd->add_option("scenarios", names, "scenario names, or groups such as mistakes/");
  add_explore_options(run_cmd, config, strategy, no_dump, {"fifo", "random", "pct"});

  auto* replay_cmd = app.add_subcommand("replay", "rerun one schedule of a scenario from its replay token");
  std::string replay_name, token;
  replay_cmd->add_option("scenario", replay_name, "scenario name")->required();
  replay_cmd->add_option("token", token, "a replay token, e.g. lockstep1:random:seed=7")->required();

  auto* fuzz_cmd = app.add_subcommand("fuzz", "a campaign, or one shard of it: failures and a summary as JSON lines");
  FuzzRequest fuzz;
  std::string fuzz_strategy = "random";
  bool fuzz_no_dump = false;
  fuzz_cmd->add_option("scenarios", fuzz.names, "scenario names, or groups such as mistakes/");
  add_explore_options(fuzz_cmd, fuzz.config.explore, fuzz_strategy, fuzz_no_dump, {"random", "pct"});
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
  } catch (const CLI::ParseError& e) {
    return usage_error(err, fmt::format("{} (see --help)", e.what()));
  }

  if (app.got_subcommand("list")) return list(out);
  if (app.got_subcommand("replay")) return replay(replay_name, token, out, err);
  if (app.got_subcommand("merge")) return merge_command(merge_paths, merge_out, out, err);
  if (app.got_subcommand("fuzz")) {
    fuzz.config.explore.strategy = strategy_kind(fuzz_strategy);
    fuzz.config.dump = !fuzz_no_dump;
    return fuzz_command(fuzz, out, err, env);
  }
  config.strategy = strategy_kind(strategy);
  return run(names, config, !no_dump, out, err);
}

}  // namespace lockstep::scenarios
