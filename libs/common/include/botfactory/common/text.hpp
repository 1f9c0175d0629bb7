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

/// ASCII lower-case copy.
std::string to_lower_ascii(std::string_view text);

}  // namespace botfactory::common
