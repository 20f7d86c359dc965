// Reading untrusted text (replay tokens, command-line flags, campaign files)
// and echoing it back in one-line error messages.
//
//   parse_whole("42", 1, 64);                  // 42
//   parse_whole("-1", 0, kU64Max);              // nullopt: digits only
//   not_in_range("seed", 0, kU64Max, quote("-1"));
//     // seed must be a whole number in 0..18446744073709551615, not "-1"
//   quote("a\nb");                              // "a\nb" with the newline escaped
//
// One wording for every number a user types, wherever it is typed (a token
// field, a flag, a JSON field): the real range in plain digits. Every
// message that echoes user text goes through quote(), and every message a
// program prints through one_line(), so it stays one line (control
// characters, invalid UTF-8 and line separators are escaped) and short.
#pragma once

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep::sim {

inline constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
// quote() shows at most this many bytes of the text, then its length.
inline constexpr std::size_t kQuotedMax = 80;

// parse_whole() reads a decimal number in [min, max]: digits only (no sign,
// no spaces, no hex, no exponent), no overflow. Leading zeros are allowed.
inline std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t min, std::uint64_t max) {
  // For an unsigned type from_chars takes digits only: no sign, no space, no prefix.
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

// not_in_range() is the message for a number parse_whole() refused; `shown`
// is the text as the user typed it, already quoted.
inline std::string not_in_range(std::string_view what, std::uint64_t min, std::uint64_t max,
                                std::string_view shown) {
  return fmt::format("{} must be a whole number in {}..{}, not {}", what, min, max, shown);
}

namespace detail {

// utf8_decode() is the length of the valid UTF-8 sequence at the start of
// `s` (its code point in `cp`), or 0: overlong forms, surrogates and code
// points above U+10FFFF are invalid.
inline std::size_t utf8_decode(std::string_view s, char32_t& cp) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b = byte(0);
  std::size_t n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  cp = n == 1 ? b : n == 2 ? b & 0x1f : n == 3 ? b & 0x0f : b & 0x07;
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return n;
}

// escape() appends `text`, escaping what would break or hide a line: C0 and
// C1 controls, DEL, U+2028/U+2029 and invalid UTF-8 bytes; with `quotes`,
// also '"' and '\'. Any other character, ASCII or not, is kept as it is.
inline void escape(std::string& out, std::string_view text, bool quotes) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = utf8_decode(text.substr(i), cp);
    if (n == 0) {  // not UTF-8: the byte itself
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i++]));
      continue;
    }
    std::string_view c = text.substr(i, n);
    i += n;
    if (cp == '\n') out += "\\n";
    else if (cp == '\t') out += "\\t";
    else if (cp == '\r') out += "\\r";
    else if (cp < 0x20 || cp == 0x7f) out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    else if ((cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029)
      out += fmt::format("\\u{{{:04x}}}", static_cast<unsigned>(cp));
    else if (quotes && (cp == '"' || cp == '\\')) (out += '\\') += c;
    else out += c;
  }
}

}  // namespace detail

// cut_point() is where to cut `text` to keep at most `max` bytes without
// splitting a UTF-8 character: text.size() when it fits.
inline std::size_t cut_point(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t at = max;
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xc0) == 0x80) --at;
  return at;
}

// quote() is `text` in double quotes, escaped, cut after kQuotedMax bytes
// with its full length: "abc..." (1048576 bytes).
inline std::string quote(std::string_view text) {
  std::size_t shown = cut_point(text, kQuotedMax);
  std::string out = "\"";
  detail::escape(out, text.substr(0, shown), true);
  out += '"';
  if (shown < text.size()) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

// printable() is `text` with every character that would break the line
// escaped, and nothing else changed: the last guard of a one-line message.
inline std::string printable(std::string_view text) {
  std::string out;
  detail::escape(out, text, false);
  return out;
}

// one_line() is a message as printable() makes it, cut after `max` bytes
// with "..." when a message echoes something huge (a library's own message
// quoting a whole argument).
inline std::string one_line(std::string_view text, std::size_t max = 1000) {
  std::string out = printable(text);
  std::size_t keep = cut_point(out, max);
  if (keep < out.size()) out = out.substr(0, keep) + "...";
  return out;
}

}  // namespace lockstep::sim
