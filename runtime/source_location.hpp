// SourceLocation: where a fiber was spawned or blocked, for dumps and errors.
//
// std::source_location where the standard library has it (g++ 12). clang 14
// with libstdc++ 12 lacks it, so there we fall back to the __builtin_FILE /
// __builtin_LINE builtins, which resolve to the outermost call site when used
// as default arguments. The fallback is 16 bytes on purpose: a larger record
// is passed in memory and costs several ns per call on clang.
//
// Use as a defaulted trailing parameter:
//   void sleep(Duration d, SourceLocation where = SourceLocation::current());
#pragma once

#include <cstdint>
#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

namespace lockstep {

#if defined(__cpp_lib_source_location)

class SourceLocation {
 public:
  static constexpr SourceLocation current(
      std::source_location here = std::source_location::current()) noexcept {
    return SourceLocation{here.file_name(), here.line()};
  }
  constexpr SourceLocation() noexcept = default;
  constexpr SourceLocation(const char* file, std::uint32_t line) noexcept
      : file_(file), line_(line) {}

  constexpr const char* file_name() const noexcept { return file_; }
  constexpr std::uint32_t line() const noexcept { return line_; }

 private:
  const char* file_ = "?";
  std::uint32_t line_ = 0;
};

#else

class SourceLocation {
 public:
  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          unsigned line = __builtin_LINE()) noexcept {
    return SourceLocation{file, line};
  }
  constexpr SourceLocation() noexcept = default;
  constexpr SourceLocation(const char* file, std::uint32_t line) noexcept
      : file_(file), line_(line) {}

  constexpr const char* file_name() const noexcept { return file_; }
  constexpr std::uint32_t line() const noexcept { return line_; }

 private:
  const char* file_ = "?";
  std::uint32_t line_ = 0;
};

#endif

// Two locations are equal when they name the same file and line. Dumps group
// fibers by location, so this compares text, not pointers: one file may be
// spelled by two string literals.
bool same_site(const SourceLocation& a, const SourceLocation& b) noexcept;

}  // namespace lockstep
