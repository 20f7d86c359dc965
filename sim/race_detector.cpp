#include "sim/race_detector.hpp"

#if defined(LOCKSTEP_RACE_DETECTOR)

#include <fmt/format.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/tsan_interface.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "sim/simulation.hpp"

// TSan's report-inspection interface (tsan_debugging.cpp), which its public
// header does not declare.
extern "C" {
int __tsan_get_report_data(void* report, const char** description, int* count, int* stack_count,
                           int* mop_count, int* loc_count, int* mutex_count, int* thread_count,
                           int* unique_tid_count, void** sleep_trace, std::size_t trace_size);
int __tsan_get_report_mop(void* report, std::size_t idx, int* tid, void** addr, int* size, int* write,
                          int* atomic, void** trace, std::size_t trace_size);
int __tsan_get_report_thread(void* report, std::size_t idx, int* tid, std::uint64_t* os_id, int* running,
                             const char** name, int* parent_tid, void** trace, std::size_t trace_size);
}

namespace __tsan {
class ReportDesc;
// TSan's weak hook, called for every report before it is printed; true
// suppresses it (not printed, not counted for the exit code).
bool OnReport(const ReportDesc* rep, bool suppressed);
}  // namespace __tsan

namespace lockstep::sim::detail {
namespace {

constexpr std::size_t kFrames = 16;

// What the hook copies out of a report: plain storage, as the hook runs
// inside TSan and must not allocate.
struct Access {
  int tid = -1;
  int size = 0;
  bool write = false;
  bool atomic = false;
  void* frames[kFrames] = {};
  char fiber[128] = {};
};

struct PendingRace {
  char kind[32] = {};  // TSan's description: "data-race", "heap-use-after-free"
  Access now;          // the access TSan caught
  Access before;       // the earlier one it conflicts with
};

constinit thread_local PendingRace pending;

void copy_access(void* rep, std::size_t idx, int threads, Access& a) {
  void* addr = nullptr;
  int write = 0, atomic = 0;
  __tsan_get_report_mop(rep, idx, &a.tid, &addr, &a.size, &write, &atomic, a.frames, kFrames);
  a.write = write != 0;
  a.atomic = atomic != 0;
  for (int i = 0; i < threads; ++i) {
    int tid = -1, running = 0, parent = 0;
    std::uint64_t os_id = 0;
    const char* name = nullptr;
    void* trace[1] = {};
    __tsan_get_report_thread(rep, static_cast<std::size_t>(i), &tid, &os_id, &running, &name, &parent, trace, 1);
    if (tid == a.tid && name != nullptr) std::strncpy(a.fiber, name, sizeof a.fiber - 1);
  }
}

// internal() is true for a frame of the system's headers, TSan's runtime
// or lockstep's own headers (not its tests): the std:: template, the
// allocator or the primitive that made the access is not the news; the
// program's line that called it is.
bool internal(std::string_view file) {
  if (file.starts_with("/usr/") || file.find("libsanitizer/") != file.npos) return true;
  if (file.find("/tests/") != file.npos) return false;
  for (std::string_view dir : {"runtime/", "primitives/", "sim/", "mn/", "threads/", "testing/"})
    if (file.starts_with(dir)) return true;
  return false;
}

// site() is the access's first frame in the program's own code. A pc with
// inlined calls symbolizes as one line per call, innermost first.
std::string site(const Access& a) {
  char buf[2048];
  for (void* pc : a.frames) {
    if (pc == nullptr) break;
    std::memset(buf, 0, sizeof buf);
    __sanitizer_symbolize_pc(pc, "%s:%l\n", buf, sizeof buf - 1);
    std::string_view lines = buf;
    while (!lines.empty()) {
      std::string_view line = lines.substr(0, lines.find('\n'));
      lines.remove_prefix(std::min(lines.size(), line.size() + 1));
      if (!line.empty() && !internal(line)) return std::string(line);
    }
  }
  return "an unknown site";
}

std::string describe(const Access& a) {
  return fmt::format("{}{} by {} at {}", a.atomic ? "atomic " : "", a.write ? "write" : "read",
                     a.fiber[0] != '\0' ? a.fiber : "an exited fiber", site(a));
}

}  // namespace

std::string take_race() {
  race_reported_ = false;
  std::string kind = std::strcmp(pending.kind, "data-race") == 0 ? "" : fmt::format(" ({})", pending.kind);
  return fmt::format("race: data race{}: {}, unordered with an earlier {}", kind, describe(pending.now),
                     describe(pending.before));
}

void clear_race() noexcept { race_reported_ = false; }

void race_name_fiber(void* tsan, const std::string& name) noexcept {
  if (tsan != nullptr) __tsan_set_fiber_name(tsan, name.c_str());
}

void race_fresh_stack(void* base, std::size_t size) noexcept {
  // Same protection and flags as the pool's own mapping; failure keeps the
  // old pages (TSan may then report a stale race: say so loudly).
  if (mmap(base, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) ==
      MAP_FAILED)
    std::perror("lockstep race detector: remapping a fiber stack");
}

}  // namespace lockstep::sim::detail

// TSan reports a race once per pair of stacks and once per address by
// default; a simulation runs the same code schedule after schedule, and each
// run must see its race again (same seed, same verdict). TSAN_OPTIONS set
// by the user still win.
extern "C" const char* __tsan_default_options() { return "suppress_equal_stacks=0:suppress_equal_addresses=0"; }

bool __tsan::OnReport(const ReportDesc* rep, bool suppressed) {
  using namespace lockstep::sim::detail;
  if (suppressed || Simulation::on_this_thread() == nullptr) return suppressed;
  void* r = const_cast<ReportDesc*>(rep);
  const char* description = nullptr;
  int count = 0, stacks = 0, mops = 0, locs = 0, mutexes = 0, threads = 0, unique = 0;
  void* sleep[1] = {};
  __tsan_get_report_data(r, &description, &count, &stacks, &mops, &locs, &mutexes, &threads, &unique, sleep, 1);
  bool race = description != nullptr && (std::strncmp(description, "data-race", 9) == 0 ||
                                          std::strcmp(description, "heap-use-after-free") == 0);
  if (!race || mops < 2) return false;  // not a race between two fibers: TSan's to print
  if (!race_reported_) {
    pending = PendingRace{};
    std::strncpy(pending.kind, description, sizeof pending.kind - 1);
    copy_access(r, 0, threads, pending.now);
    copy_access(r, 1, threads, pending.before);
    race_reported_ = true;
  }
  // LOCKSTEP_RACE_REPORT=1 prints TSan's own report too (every frame of
  // both accesses); TSan then also ends the process with its exit code 66.
  static const bool print = std::getenv("LOCKSTEP_RACE_REPORT") != nullptr;
  return !print;
}

#endif
