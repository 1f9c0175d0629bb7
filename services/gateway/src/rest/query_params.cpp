#include "rest/query_params.hpp"

#include <charconv>
#include <string>

#include "http/api_error.hpp"

namespace botfactory::gateway {

std::optional<std::int64_t> parse_decimal(std::string_view text, std::int64_t lo, std::int64_t hi) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;  // std::from_chars alone would take a '-'
  }
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // overflow
  if (value < lo || value > hi) return std::nullopt;
  return value;
}

std::string integer_range_message(std::string_view name, std::int64_t lo, std::int64_t hi) {
  return std::string(name) + " must be an integer in " + std::to_string(lo) + ".." +
         std::to_string(hi);
}

std::int64_t query_int(const HttpRequest& request, std::string_view name, std::int64_t fallback,
                       std::int64_t lo, std::int64_t hi) {
  auto it = request.query.find(std::string(name));
  if (it == request.query.end() || it->second.empty()) return fallback;
  if (auto value = parse_decimal(it->second, lo, hi)) return *value;
  throw ApiError(400, "validation_failed", integer_range_message(name, lo, hi));
}

}  // namespace botfactory::gateway
