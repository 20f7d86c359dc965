// fuzz and merge: argument checks, files and streams around
// exploration/campaign.hpp, campaign_json.hpp and merge.hpp. Every bad input is one line on `err`
// ("lockstep-scenarios: <what>") and status 2, before any work is done.
#include "scenarios/campaign_cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "exploration/campaign_json.hpp"
#include "exploration/merge.hpp"
#include "exploration/progress.hpp"
#include "scenarios/catalog.hpp"
#include "scenarios/cli.hpp"
#include "scenarios/explore.hpp"

namespace lockstep::scenarios {
namespace {

using namespace exploration;

// Output: the file named by --out (created or truncated), else `out`.
class Output {
 public:
  Output(const std::string& path, std::ostream& out) : stream_(&out) {
    if (path.empty()) return;
    errno = 0;
    file_.open(path, std::ios::trunc);
    if (!file_)
      throw std::invalid_argument(fmt::format("--out {}: cannot write the file: {}", path, std::strerror(errno)));
    stream_ = &file_;
  }
  // line() writes and flushes: a shard killed midway keeps every line so far.
  void line(const std::string& text) { *stream_ << text << "\n" << std::flush; }

 private:
  std::ofstream file_;
  std::ostream* stream_;
};

// report() prints the judgement on `err` and returns the exit status.
int report(const CampaignSummary& summary, const std::vector<Failure>& failures, std::ostream& err) {
  Judgement j = judge(summary, failures, replay_any);
  for (const auto& problem : j.problems) err << "  " << problem << "\n";
  err << describe(summary, j) << "\n";
  return j.held ? kExitHeld : kExitNotHeld;
}

// A scenario named twice (mistakes/ mistakes/leak_no_stop) runs once.
std::vector<const Scenario*> unique(std::vector<const Scenario*> list) {
  std::vector<const Scenario*> out;
  for (const Scenario* s : list)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

// A shard file is read whole (merge keeps every failure line anyway), so it
// is bounded: 1 GiB is millions of failure lines with their dumps, and a
// path such as /dev/zero fails here instead of eating all memory.
constexpr std::size_t kShardFileMax = std::size_t{1} << 30;

// read_file() says which of the ways to not be a readable file it met.
std::string read_file(const std::string& path) {
  if (path.empty()) throw std::invalid_argument("\"\": an empty path names no file");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw std::invalid_argument(fmt::format("{}: is a directory, not a shard file", path));
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(fmt::format("{}: cannot read the file: {}", path, std::strerror(errno)));
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    if (text.size() + static_cast<std::size_t>(in.gcount()) > kShardFileMax)
      throw std::invalid_argument(
          fmt::format("{}: larger than {} bytes, the most a shard file may hold", path, kShardFileMax));
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::invalid_argument(fmt::format("{}: cannot read the file: {}", path, std::strerror(errno)));
  return text;
}

}  // namespace

int fuzz_command(const FuzzRequest& request, std::ostream& out, std::ostream& err, const Env& env) {
  std::vector<const Scenario*> selected;
  CampaignConfig config = request.config;
  std::optional<Output> output;
  try {
    selected = unique(select_scenarios(request.names));
    config.shard = select_shard(request.shard, env);
    touch_shard_status_file(env);
    output.emplace(request.out_path, out);
  } catch (const std::invalid_argument& e) {
    return usage_error(err, e.what());
  }
  // Expected failures are written and forgotten; unexpected ones are kept
  // for the report (a long campaign catches a mistake thousands of times).
  std::vector<Failure> unexpected;
  ThrottledProgress progress(err);
  CampaignSummary summary = run_campaign(
      targets(selected), config,
      [&](const Failure& f) {
        output->line(to_json_line(f));
        if (!f.expected) unexpected.push_back(f);
      },
      [&](const Target& t, std::uint64_t done, std::uint64_t planned) { progress(t.name, done, planned); });
  output->line(to_json_line(summary));
  return report(summary, unexpected, err);
}

int merge_command(const std::vector<std::string>& paths, const std::string& out_path, std::ostream& out,
                  std::ostream& err) {
  Campaign whole;
  std::optional<Output> output;
  try {
    std::vector<CampaignFile> files;
    for (const auto& path : paths) files.push_back({path, read_file(path)});
    whole = merge_campaigns(files);
    output.emplace(out_path, out);
  } catch (const std::invalid_argument& e) {
    return usage_error(err, e.what());
  }
  for (const Failure& f : whole.failures) output->line(to_json_line(f));
  output->line(to_json_line(whole.summary));
  return report(whole.summary, whole.failures, err);
}

}  // namespace lockstep::scenarios
