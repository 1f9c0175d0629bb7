#pragma once
// UTF-8 text helpers used for input validation.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace botfactory::common {

/// U+FFFD REPLACEMENT CHARACTER: what decode_utf8() reports for a byte it cannot decode.
inline constexpr std::uint32_t kReplacementCharacter = 0xFFFD;

/// Decodes the code point whose encoding (RFC 3629 section 3) starts at `text[pos]`
/// (`pos < text.size()`) and sets `length` to its byte length. A byte that does not start a
/// sequence, a sequence cut short by the end of `text` or one with a bad continuation byte gives
/// kReplacementCharacter with `length` 1, so scanning resumes at the next byte. Overlong forms,
/// surrogates and values over U+10FFFF are decoded as they are (is_valid_utf8 refuses them).
std::uint32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t& length);

/// True when `text` is well-formed UTF-8 (RFC 3629): every sequence decodes, in its shortest
/// form, to a code point up to U+10FFFF that is not a surrogate (U+D800..U+DFFF).
bool is_valid_utf8(std::string_view text);

/// Number of Unicode code points in well-formed UTF-8 `text` (bytes that are not continuation
/// bytes 10xxxxxx).
std::size_t utf8_length(std::string_view text);

/// Byte offset of code point number `index` (counting from 0) of `text`, where every byte that
/// is not a continuation byte (10xxxxxx) starts a code point; `text.size()` when `text` has
/// `index` code points or fewer. `text.substr(0, utf8_offset(text, n))` is the first `n` code
/// points and never splits a sequence of valid UTF-8.
std::size_t utf8_offset(std::string_view text, std::size_t index);

/// `text` without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

/// Byte offset of the first control character in UTF-8 `text` that a text field may not hold,
/// or std::string_view::npos when there is none. Refused: every Unicode control character
/// (general category Cc: U+0000–U+001F, U+007F, U+0080–U+009F) except tab, line feed and
/// carriage return. NUL in particular cannot be stored in a PostgreSQL `text` value, and the
/// others are invisible or reorder terminals. `text` should be valid UTF-8 (a C1 control is
/// its two-byte encoding C2 80–C2 9F).
std::size_t find_control_char(std::string_view text);

/// True for an ASCII hex digit: 0-9, a-f, A-F.
bool is_hex_digit(char c);

/// ASCII lower-case copy.
std::string to_lower_ascii(std::string_view text);

}  // namespace botfactory::common
