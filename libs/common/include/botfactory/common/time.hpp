#pragma once
// Time formatting helpers.

#include <chrono>
#include <cstdint>
#include <string>

namespace botfactory::common {

/// RFC 3339 UTC text with millisecond precision, e.g. "2026-11-22T04:40:31.123Z".
std::string rfc3339_utc(std::chrono::system_clock::time_point when);

/// Same, from microseconds since the Unix epoch.
std::string rfc3339_utc_from_micros(std::int64_t micros_since_epoch);

}  // namespace botfactory::common
