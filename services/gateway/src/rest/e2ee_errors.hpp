#pragma once
// Client codes of end-to-end encrypted rooms' refusals (docs/e2ee.md, docs/api.md "E2EE"):
// channel-connector writes the status message as "<code>: <message>" for e2ee_required,
// key_epoch_stale, key_conflict and e2ee_room.

#include <optional>
#include <string>

#include <grpcpp/support/status.h>

#include "http/api_error.hpp"

namespace botfactory::gateway {

/// The e2ee code (and the message after "<code>: ") of `status`, or nullopt when it is not an
/// e2ee refusal. Used for WebSocket error events, whose code is the e2ee code itself.
std::optional<std::pair<std::string, std::string>> e2ee_error_code(const grpc::Status& status);

/// The REST error of an e2ee refusal: e2ee_required → 400 validation_failed (the message
/// starts with "e2ee_required: "), key_epoch_stale / key_conflict / e2ee_room → 409 with that
/// code; nullopt otherwise.
std::optional<ApiError> e2ee_api_error(const grpc::Status& status);

}  // namespace botfactory::gateway
