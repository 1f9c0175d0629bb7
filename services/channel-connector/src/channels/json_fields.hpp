#pragma once
// Reading the JSON bodies of the channel APIs (Telegram Bot API answers and updates, Meta Graph
// webhooks for WhatsApp and Instagram): a parse with a nesting bound, and typed member lookups
// that answer "absent" for a missing member or one of another type. Shared by telegram_wire,
// whatsapp_wire and instagram_wire.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace botfactory::channel::json_fields {

/// Parses `text` (UTF-8 JSON) with at most `max_depth` levels of nesting; nullopt on any error.
inline std::optional<boost::json::value> parse_bounded(std::string_view text, std::size_t max_depth) {
  boost::system::error_code error;
  boost::json::parse_options options;
  options.max_depth = max_depth;
  auto value = boost::json::parse(text, error, {}, options);
  if (error) return std::nullopt;
  return value;
}

/// The string member `key` of `o`; "" when absent or not a string.
inline std::string string_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// The object member `key` of `o`; nullptr when absent or not an object.
inline const boost::json::object* object_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

/// The array member `key` of `o`; nullptr when absent or not an array.
inline const boost::json::array* array_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

}  // namespace botfactory::channel::json_fields
