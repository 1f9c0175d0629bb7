#include "billing_period.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace botfactory::subscription {
namespace {

// Floor division, so times before 1970 split into a day and a non-negative time of day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::int64_t add_months_utc(std::int64_t micros, int months) {
  using namespace std::chrono;
  std::int64_t day_index = floor_div(micros, kMicrosPerDay);
  std::int64_t time_of_day = micros - day_index * kMicrosPerDay;
  year_month_day date{sys_days{days{day_index}}};
  year_month shifted = year_month{date.year(), date.month()} + std::chrono::months{months};
  auto last = year_month_day_last{shifted.year(), month_day_last{shifted.month()}}.day();
  year_month_day target{shifted.year(), shifted.month(), std::min(date.day(), last)};
  return static_cast<std::int64_t>(sys_days{target}.time_since_epoch().count()) * kMicrosPerDay +
         time_of_day;
}

Period monthly_period_containing(std::int64_t anchor_us, std::int64_t now_us) {
  if (now_us < anchor_us) return {anchor_us, add_months_utc(anchor_us, 1)};
  // Start from an estimate a little low (months are 28..31 days), then step forward.
  int k = static_cast<int>((now_us - anchor_us) / (31 * kMicrosPerDay));
  while (add_months_utc(anchor_us, k + 1) <= now_us) ++k;
  return {add_months_utc(anchor_us, k), add_months_utc(anchor_us, k + 1)};
}

std::string utc_date(std::int64_t micros) {
  using namespace std::chrono;
  year_month_day date{sys_days{days{floor_div(micros, kMicrosPerDay)}}};
  char text[40];  // room for any int year, so no truncation warning
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

}  // namespace botfactory::subscription
