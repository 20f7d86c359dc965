// The runner's commands on top of catalog.hpp and explore.hpp. CLI11 parses;
// everything it cannot check (scenario names, tokens) is checked here, and
// every bad input ends with "lockstep-scenarios: <what>" and status 2.
#include "scenarios/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"

namespace lockstep::scenarios {
namespace {

constexpr const char* kProgram = "lockstep-scenarios";

int usage_error(std::ostream& err, const std::string& what) {
  err << kProgram << ": " << what << "\n";
  return kExitUsage;
}

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
  for (const Scenario* s : selected) {
    // Long runs show progress on stderr, at most once a second of real time
    // (the runner is outside any simulation; the schedules never see this
    // clock), so runs that take under a second print none.
    auto next_report = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    Progress progress = [&, s](std::uint64_t done, std::uint64_t planned) {
      auto now = std::chrono::steady_clock::now();
      if (now < next_report) return;
      next_report = now + std::chrono::seconds(1);
      err << fmt::format("  {}: {}/{} schedules\n", s->name, done, planned) << std::flush;
    };
    Exploration e = explore(*s, config, progress);
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

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
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
  run_cmd->add_option("--strategy", strategy, "fifo, random or pct")
      ->check(CLI::IsMember({"fifo", "random", "pct"}))
      ->capture_default_str();
  run_cmd->add_option("--schedules", config.schedules, "schedules per scenario")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}))
      ->capture_default_str();
  run_cmd->add_option("--seed", config.seed, "seed of the first schedule (schedule i uses seed + i)")
      ->capture_default_str();
  run_cmd->add_option("--depth", config.pct_depth, "pct: bug depth")->check(CLI::Range(1, 64))->capture_default_str();
  run_cmd->add_option("--steps", config.pct_steps, "pct: steps over which change points are drawn")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run_cmd->add_flag("--no-dump", no_dump, "print failures without their goroutine dump");

  auto* replay_cmd = app.add_subcommand("replay", "rerun one schedule of a scenario from its replay token");
  std::string replay_name, token;
  replay_cmd->add_option("scenario", replay_name, "scenario name")->required();
  replay_cmd->add_option("token", token, "a replay token, e.g. lockstep1:random:seed=7")->required();

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
  config.strategy = strategy == "fifo" ? sim::Strategy::Kind::fifo
                    : strategy == "pct" ? sim::Strategy::Kind::pct
                                        : sim::Strategy::Kind::random;
  return run(names, config, !no_dump, out, err);
}

}  // namespace lockstep::scenarios
