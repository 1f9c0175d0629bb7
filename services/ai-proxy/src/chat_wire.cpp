#include "chat_wire.hpp"

#include <boost/json.hpp>

namespace botfactory::ai {

namespace {

constexpr std::size_t kMaxErrorBytes = 200;

/// `error.message` of an API error object, at most kMaxErrorBytes; "" without one.
std::string message_of(const boost::json::value& error) {
  const auto* message = error.is_object() ? error.as_object().if_contains("message") : nullptr;
  if (!message || !message->is_string()) return {};
  std::string text(message->as_string());
  if (text.size() > kMaxErrorBytes) text.resize(kMaxErrorBytes);
  return text;
}

}  // namespace

std::string api_error_message(std::string_view body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  const auto* error = value.as_object().if_contains("error");
  return error ? message_of(*error) : std::string();
}

std::optional<std::string> stream_error(const boost::json::object& event) {
  const auto* error = event.if_contains("error");
  if (!error || error->is_null()) return std::nullopt;
  auto message = message_of(*error);
  return message.empty() ? "error in stream" : message;
}

}  // namespace botfactory::ai
