#include <catch2/catch.hpp>

#include <chrono>

#include "billing_period.hpp"

using namespace botfactory::subscription;
using namespace std::chrono;

namespace {

/// Microseconds since the epoch of a UTC date at hh:mm.
std::int64_t utc(year_month_day date, int hour = 0, int minute = 0) {
  auto tp = sys_days{date} + hours{hour} + minutes{minute};
  return duration_cast<microseconds>(tp.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("adding months keeps the time of day and clamps the day") {
  CHECK(add_months_utc(utc(2026y / January / 15, 10, 30), 1) == utc(2026y / February / 15, 10, 30));
  CHECK(add_months_utc(utc(2026y / January / 31, 12), 1) == utc(2026y / February / 28, 12));
  CHECK(add_months_utc(utc(2028y / January / 31, 12), 1) == utc(2028y / February / 29, 12));
  CHECK(add_months_utc(utc(2026y / January / 31, 12), 2) == utc(2026y / March / 31, 12));
  CHECK(add_months_utc(utc(2026y / December / 5), 1) == utc(2027y / January / 5));
  CHECK(add_months_utc(utc(2026y / March / 31), -1) == utc(2026y / February / 28));
  CHECK(add_months_utc(utc(1969y / December / 31, 23, 59), 1) == utc(1970y / January / 31, 23, 59));
  std::int64_t with_micros = utc(2026y / May / 1) + 123456;
  CHECK(add_months_utc(with_micros, 1) == utc(2026y / June / 1) + 123456);
}

TEST_CASE("the monthly period containing now is anchored, without drift") {
  auto anchor = utc(2026y / January / 31, 12);
  auto p = monthly_period_containing(anchor, anchor);
  CHECK(p.start_us == anchor);
  CHECK(p.end_us == utc(2026y / February / 28, 12));

  p = monthly_period_containing(anchor, utc(2026y / February / 28, 12));  // end is exclusive
  CHECK(p.start_us == utc(2026y / February / 28, 12));
  CHECK(p.end_us == utc(2026y / March / 31, 12));

  p = monthly_period_containing(anchor, utc(2026y / April / 30, 11, 59));
  CHECK(p.start_us == utc(2026y / March / 31, 12));
  CHECK(p.end_us == utc(2026y / April / 30, 12));

  p = monthly_period_containing(anchor, utc(2029y / July / 4));
  CHECK(p.start_us == utc(2029y / June / 30, 12));
  CHECK(p.end_us == utc(2029y / July / 31, 12));

  p = monthly_period_containing(anchor, anchor - 1);
  CHECK(p.start_us == anchor);
}

TEST_CASE("utc_date names the UTC calendar day of a time") {
  CHECK(utc_date(utc(2026y / January / 31, 12)) == "2026-01-31");
  CHECK(utc_date(utc(2026y / February / 1) - 1) == "2026-01-31");  // one microsecond before midnight
  CHECK(utc_date(utc(2026y / February / 1)) == "2026-02-01");
  CHECK(utc_date(0) == "1970-01-01");
  CHECK(utc_date(-1) == "1969-12-31");
  CHECK(utc_date(utc(2028y / February / 29, 23, 59)) == "2028-02-29");
}
