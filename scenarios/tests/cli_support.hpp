// Shared by the runner's tests: run_cli() called as the binary would be,
// with a chosen environment, and a scratch folder for shard files.
//
//   auto r = cli({"fuzz", "mistakes/", "--shard", "0/2"}, env({{"TEST_SHARD_STATUS_FILE", path}}));
//   r.status; r.out; r.err;
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/cli.hpp"

namespace lockstep::scenarios::test {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

// env() is an environment holding exactly `vars`: tests never see the real one.
inline exploration::Env env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

inline Outcome cli(std::vector<const char*> args, const exploration::Env& environment = env()) {
  args.insert(args.begin(), "lockstep-scenarios");
  std::ostringstream out, err;
  int status = run_cli(static_cast<int>(args.size()), args.data(), out, err, environment);
  return {status, out.str(), err.str()};
}

// ScratchDir: a fresh folder, removed with everything in it at scope exit.
// Named after the test process, so ctest's parallel test processes never share one.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("lockstep-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // file() is the path of `name` in the folder, as a string for argv.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// lines() splits JSON lines output (each line ends in a newline).
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// without_wall() is a summary line less its one non-deterministic field.
inline std::string without_wall(const std::string& summary_line) {
  auto j = nlohmann::ordered_json::parse(summary_line);
  j.erase("wall_seconds");
  return j.dump();
}

// failure_lines() are the failure lines of JSON lines output, sorted (the
// order merge writes: scenario, then schedule, which sorting the text gives
// for schedules of equal digit count only, so sort by the fields).
inline std::vector<std::string> failure_lines(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& line : lines(text))
    if (line.starts_with("{\"type\":\"failure\"")) out.push_back(line);
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    auto x = nlohmann::json::parse(a), y = nlohmann::json::parse(b);
    return std::pair(x["scenario"].get<std::string>(), x["schedule"].get<std::uint64_t>()) <
           std::pair(y["scenario"].get<std::string>(), y["schedule"].get<std::uint64_t>());
  });
  return out;
}

}  // namespace lockstep::scenarios::test
