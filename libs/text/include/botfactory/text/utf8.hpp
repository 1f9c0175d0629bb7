#pragma once
// Low-level UTF-8 helpers for scanning text code point by code point (RFC 3629 encoding).
// decode_utf8 and utf8_offset are common::decode_utf8 and common::utf8_offset.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "botfactory/common/text.hpp"

namespace botfactory::text {

// The decoder and code point offsets live in libs/common (common/text.hpp), which validates
// input with the same decoder; they are named here too for the scanners of this library.
using common::decode_utf8;
using common::kReplacementCharacter;
using common::utf8_offset;

/// Appends the UTF-8 encoding (1 to 4 bytes) of `code_point` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, std::uint32_t code_point);

/// True for the ASCII whitespace bytes that common::trim() removes: space, \t, \n, \r, \f, \v.
constexpr bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace botfactory::text
