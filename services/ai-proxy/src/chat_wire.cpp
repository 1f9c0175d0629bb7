#include "chat_wire.hpp"

#include <boost/json.hpp>

namespace botfactory::ai {

std::string api_error_message(std::string_view body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  const auto* error = value.as_object().if_contains("error");
  if (!error || !error->is_object()) return {};
  const auto* message = error->as_object().if_contains("message");
  if (!message || !message->is_string()) return {};
  std::string text(message->as_string());
  if (text.size() > 200) text.resize(200);
  return text;
}

}  // namespace botfactory::ai
