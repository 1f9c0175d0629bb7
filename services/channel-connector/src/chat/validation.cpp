#include "chat/validation.hpp"

#include "botfactory/common/text.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::channel {

void check_text_field(std::string_view field, std::string_view value, std::size_t max_code_points) {
  // libpq passes parameters as C strings, so an embedded NUL would silently cut the value.
  if (!common::is_valid_utf8(value) || value.find('\0') != std::string_view::npos) {
    rpc::throw_invalid(std::string(field) + " must be valid UTF-8 text");
  }
  if (common::utf8_length(value) > max_code_points) {
    rpc::throw_invalid(std::string(field) + " must be at most " + std::to_string(max_code_points) +
                       " characters");
  }
}

std::string validate_post(const chat::v1::PostMessageRequest& request) {
  if (request.conversation_id().empty()) rpc::throw_invalid("conversation_id is required");
  if (request.client_id().empty()) rpc::throw_invalid("client_id is required");
  check_text_field("client_id", request.client_id(), kMaxClientIdCodePoints);
  switch (request.sender().kind()) {
    case common::v1::SENDER_KIND_VISITOR:
    case common::v1::SENDER_KIND_BOT:
    case common::v1::SENDER_KIND_OPERATOR:
      break;
    default:
      rpc::throw_invalid("sender.kind is required");
  }
  check_text_field("sender.id", request.sender().id(), kMaxSenderIdCodePoints);
  check_text_field("sender.name", request.sender().name(), kMaxSenderNameCodePoints);
  if (!common::is_valid_utf8(request.text()) || request.text().find('\0') != std::string::npos) {
    rpc::throw_invalid("text must be valid UTF-8");
  }
  auto text = common::trim(request.text());
  if (text.empty()) rpc::throw_invalid("text must not be empty");
  if (common::utf8_length(text) > kMaxTextCodePoints) {
    rpc::throw_invalid("text must be at most " + std::to_string(kMaxTextCodePoints) + " characters");
  }
  return std::string(text);
}

std::string truncate_code_points(std::string_view text, std::size_t max_code_points) {
  return std::string(text.substr(0, common::utf8_offset(text, max_code_points)));
}

}  // namespace botfactory::channel
