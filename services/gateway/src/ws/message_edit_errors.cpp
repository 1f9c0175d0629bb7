#include "ws/message_edit_errors.hpp"

#include <array>
#include <string_view>

#include "http/api_error.hpp"
#include "rest/e2ee_errors.hpp"

namespace botfactory::gateway {

OpError edit_error_from_grpc(const grpc::Status& status) {
  if (auto e2ee = e2ee_error_code(status)) return OpError{e2ee->first, e2ee->second};  // e2ee rooms
  static constexpr std::array<std::string_view, 5> kCodes{
      "forbidden", "edit_window_closed", "message_deleted", "invalid_argument", "not_found"};
  const std::string& message = status.error_message();
  auto colon = message.find(": ");
  if (colon != std::string::npos) {
    std::string_view code(message.data(), colon);
    for (auto known : kCodes) {
      if (code == known) return OpError{std::string(code), message.substr(colon + 2)};
    }
  }
  auto error = api_error_from_grpc(status);
  return OpError{error.code(), error.what()};
}

}  // namespace botfactory::gateway
