// RFC 3339 UTC formatting (time.hpp): millisecond text, times before 1970, years past 9999.
#include <catch2/catch.hpp>

#include "botfactory/common/time.hpp"

using botfactory::common::rfc3339_utc;
using botfactory::common::rfc3339_utc_from_micros;

TEST_CASE("rfc3339_utc_from_micros prints UTC with milliseconds") {
  CHECK(rfc3339_utc_from_micros(0) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339_utc_from_micros(1'795'322'431'123'456) == "2026-11-22T04:40:31.123Z");
  CHECK(rfc3339_utc_from_micros(-1) == "1969-12-31T23:59:59.999Z");  // floor, not toward zero
  CHECK(rfc3339_utc_from_micros(-62'135'596'800'000'000) == "0001-01-01T00:00:00.000Z");
  // Past year 9999 the year just gets longer (a fixed 40-byte buffer is what the warning was about).
  CHECK(rfc3339_utc_from_micros(253'402'300'800'000'000) == "10000-01-01T00:00:00.000Z");
  CHECK(rfc3339_utc(std::chrono::system_clock::time_point{}) == "1970-01-01T00:00:00.000Z");
}
