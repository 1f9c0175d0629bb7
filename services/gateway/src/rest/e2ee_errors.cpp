#include "rest/e2ee_errors.hpp"

#include <array>
#include <string_view>

namespace botfactory::gateway {

std::optional<std::pair<std::string, std::string>> e2ee_error_code(const grpc::Status& status) {
  static constexpr std::array<std::string_view, 4> kCodes{"e2ee_required", "key_epoch_stale",
                                                          "key_conflict", "e2ee_room"};
  const std::string& message = status.error_message();
  auto colon = message.find(": ");
  if (status.ok() || colon == std::string::npos) return std::nullopt;
  std::string_view code(message.data(), colon);
  for (auto known : kCodes) {
    if (code == known) return std::make_pair(std::string(code), message.substr(colon + 2));
  }
  return std::nullopt;
}

std::optional<ApiError> e2ee_api_error(const grpc::Status& status) {
  auto found = e2ee_error_code(status);
  if (!found) return std::nullopt;
  if (found->first == "e2ee_required") {
    return ApiError(400, "validation_failed", "e2ee_required: " + found->second);
  }
  return ApiError(409, found->first, found->second);
}

}  // namespace botfactory::gateway
