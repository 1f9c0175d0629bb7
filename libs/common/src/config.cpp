#include "botfactory/common/config.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace botfactory::common {

std::string env_string(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return value;
}

std::int64_t env_int(const char* name, std::int64_t fallback, std::int64_t min_value,
                     std::int64_t max_value) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  std::string_view text(value);
  std::int64_t parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    throw ConfigError(std::string(name) + " must be an integer, got '" + value + "'");
  }
  if (parsed < min_value || parsed > max_value) {
    throw ConfigError(std::string(name) + " is out of range [" + std::to_string(min_value) + ", " +
                      std::to_string(max_value) + "]");
  }
  return parsed;
}

bool env_bool(const char* name, bool fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  std::string_view text(value);
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  throw ConfigError(std::string(name) + " must be a boolean, got '" + value + "'");
}

}  // namespace botfactory::common
