#pragma once
// harden: the one integer query-parameter parser of the REST API (docs/api.md "Conventions").
// Before it there were three: std::stoll (took "+5", " 5", "-0"), std::from_chars (took "-5"
// when the range allowed it) and an inline copy with its own error text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.hpp"

namespace botfactory::gateway {

/// `text` as a strict non-negative decimal integer: one or more ASCII digits '0'-'9' and
/// nothing else (no sign, no space, no '_' or ',', no hex, no exponent; leading zeros are
/// allowed), whose value lies in [lo, hi]. nullopt when it is empty, has another byte, overflows
/// int64 or is out of range. Never throws; no locale.
std::optional<std::int64_t> parse_decimal(std::string_view text, std::int64_t lo, std::int64_t hi);

/// The error text for integer query parameter `name` outside [lo, hi]:
/// "<name> must be an integer in <lo>..<hi>" (e.g. "limit must be an integer in 1..200").
std::string integer_range_message(std::string_view name, std::int64_t lo, std::int64_t hi);

/// The integer query parameter `name` of `request` in [lo, hi] (parse_decimal()); `fallback`
/// (returned unchecked) when it is absent or empty ("?limit=" counts as absent). Throws ApiError
/// 400 `validation_failed` with integer_range_message() otherwise.
std::int64_t query_int(const HttpRequest& request, std::string_view name, std::int64_t fallback,
                       std::int64_t lo, std::int64_t hi);

}  // namespace botfactory::gateway
