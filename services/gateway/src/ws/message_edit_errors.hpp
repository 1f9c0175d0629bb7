#pragma once
// The client-facing error of a failed chat EditMessage / DeleteMessage / ListMessageVersions
// call: channel-connector writes "<code>: <message>" (forbidden, edit_window_closed,
// message_deleted, invalid_argument, not_found); other failures as api_error_from_grpc.

#include <grpcpp/support/status.h>

#include "ws/chat_ops.hpp"

namespace botfactory::gateway {

/// {code, message} of `status` (not OK).
OpError edit_error_from_grpc(const grpc::Status& status);

}  // namespace botfactory::gateway
