#pragma once
// Low-level UTF-8 helpers for scanning text code point by code point (RFC 3629 encoding).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace botfactory::text {

/// U+FFFD REPLACEMENT CHARACTER: what decode_utf8() reports for a byte it cannot decode.
inline constexpr std::uint32_t kReplacementCharacter = 0xFFFD;

/// Decodes the code point whose encoding starts at `text[pos]` (`pos < text.size()`) and sets
/// `length` to its byte length. A byte that does not start a sequence, a sequence cut short by
/// the end of `text` or one with a bad continuation byte gives kReplacementCharacter with
/// `length` 1, so scanning resumes at the next byte. Overlong forms and surrogates are not
/// rejected (use common::is_valid_utf8 to validate input).
std::uint32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t& length);

/// Appends the UTF-8 encoding (1 to 4 bytes) of `code_point` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, std::uint32_t code_point);

/// Byte offset of code point number `index` (counting from 0) of `text`, where every byte that
/// is not a continuation byte (10xxxxxx) starts a code point; `text.size()` when `text` has
/// `index` code points or fewer. `text.substr(0, utf8_offset(text, n))` is the first `n` code
/// points and never splits a sequence of valid UTF-8.
std::size_t utf8_offset(std::string_view text, std::size_t index);

/// True for the ASCII whitespace bytes that common::trim() removes: space, \t, \n, \r, \f, \v.
constexpr bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace botfactory::text
