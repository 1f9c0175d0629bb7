#pragma once
// Calendar arithmetic for billing periods, in UTC, on microseconds since the Unix epoch.

#include <cstdint>
#include <string>

namespace botfactory::subscription {

/// Microseconds in one day (24 h; UTC has no DST).
inline constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

/// `micros` plus `months` calendar months, keeping the time of day; the day of month is clamped
/// to the target month's length (Jan 31 + 1 month = Feb 28/29), as PostgreSQL's
/// `timestamp + interval 'n months'` does in UTC.
std::int64_t add_months_utc(std::int64_t micros, int months);

/// A half-open period [start, end).
struct Period {
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
};

/// The monthly period anchored at `anchor_us` that contains `now_us`: [anchor + k months,
/// anchor + (k+1) months) for the smallest k >= 0 whose end is after `now_us`. When `now_us`
/// is before the anchor, the first period.
Period monthly_period_containing(std::int64_t anchor_us, std::int64_t now_us);

/// The UTC calendar day containing `micros`, as "YYYY-MM-DD" (ISO 8601 calendar date; years
/// 0..9999). Used as the day of token usage rows.
std::string utc_date(std::int64_t micros);

}  // namespace botfactory::subscription
