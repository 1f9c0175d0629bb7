// The table of WebSocket ops handled outside WsSession's switch (ws_op_context.hpp): one line
// per op, pointing into the op's own handler file.

#include <array>
#include <utility>

#include "json_input.hpp"
#include "ws/ws_op_context.hpp"

namespace botfactory::gateway {

// Handlers, each in its own file.
void message_edit_op(WsOpContext& socket, const boost::json::object& frame);    // message_edit_ops.cpp
void message_delete_op(WsOpContext& socket, const boost::json::object& frame);  // message_edit_ops.cpp
void call_op(WsOpContext& socket, const boost::json::object& frame);            // call_signalling.cpp

namespace {

constexpr std::array<std::pair<std::string_view, WsOpHandler>, 8> kOps{{
    {"message.edit", &message_edit_op},
    {"message.delete", &message_delete_op},
    {"call.config", &call_op},
    {"call.invite", &call_op},
    {"call.answer", &call_op},
    {"call.ice", &call_op},
    {"call.hangup", &call_op},
    {"call.reject", &call_op},
}};

}  // namespace

WsOpHandler find_ws_op(std::string_view type) {
  for (const auto& [name, handler] : kOps) {
    if (name == type) return handler;
  }
  return nullptr;
}

bool dispatch_ws_op(WsOpContext& socket, std::string_view text) {
  auto input = parse_json_input(text);
  if (input.status != JsonInput::Status::kOk || !input.value.is_object()) return false;
  const auto& object = input.value.get_object();
  const auto* type = object.if_contains("type");
  if (type == nullptr || !type->is_string()) return false;
  auto handler = find_ws_op(type->get_string());
  if (handler == nullptr) return false;
  handler(socket, object);
  return true;
}

}  // namespace botfactory::gateway
