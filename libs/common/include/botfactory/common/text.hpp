#pragma once
// UTF-8 text helpers used for input validation.

#include <cstddef>
#include <string>
#include <string_view>

namespace botfactory::common {

/// True when `text` is well-formed UTF-8 (RFC 3629).
bool is_valid_utf8(std::string_view text);

/// Number of Unicode code points in well-formed UTF-8 `text`.
std::size_t utf8_length(std::string_view text);

/// `text` without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

/// Byte offset of the first control character in UTF-8 `text` that a text field may not hold,
/// or std::string_view::npos when there is none. Refused: every Unicode control character
/// (general category Cc: U+0000–U+001F, U+007F, U+0080–U+009F) except tab, line feed and
/// carriage return. NUL in particular cannot be stored in a PostgreSQL `text` value, and the
/// others are invisible or reorder terminals. `text` should be valid UTF-8 (a C1 control is
/// its two-byte encoding C2 80–C2 9F).
std::size_t find_control_char(std::string_view text);

/// ASCII lower-case copy.
std::string to_lower_ascii(std::string_view text);

}  // namespace botfactory::common
