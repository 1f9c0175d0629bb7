#pragma once
// Configuration from environment variables; every setting has a default that runs locally.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace botfactory::common {

/// Raised at start-up when an environment variable is set to a value that cannot be used.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Value of environment variable `name`, or `fallback` when it is unset or empty.
std::string env_string(const char* name, const std::string& fallback);

/// Integer value of `name`, or `fallback` when unset. Throws ConfigError when the value is not
/// a base-10 integer in [min_value, max_value].
std::int64_t env_int(const char* name, std::int64_t fallback, std::int64_t min_value = INT64_MIN,
                     std::int64_t max_value = INT64_MAX);

/// Boolean value of `name` ("1/true/yes/on" or "0/false/no/off"), `fallback` when unset.
/// Throws ConfigError for anything else.
bool env_bool(const char* name, bool fallback);

}  // namespace botfactory::common
