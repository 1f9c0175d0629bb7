#include "botfactory/common/time.hpp"

#include <ctime>

#include <fmt/format.h>

namespace botfactory::common {

std::string rfc3339_utc_from_micros(std::int64_t micros) {
  std::int64_t seconds = micros / 1'000'000;
  std::int64_t rem = micros % 1'000'000;
  if (rem < 0) {
    rem += 1'000'000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // fmt sizes the result itself: nothing to truncate (snprintf into a fixed buffer drew
  // -Wformat-truncation: an int year may print 11 characters).
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(rem / 1000));
}

std::string rfc3339_utc(std::chrono::system_clock::time_point when) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  return rfc3339_utc_from_micros(micros);
}

}  // namespace botfactory::common
