#pragma once
// What a WebSocket op handled outside WsSession's own switch (issue 11: message_edit_ops,
// call_signalling; rooms and files may add theirs) needs from its socket. WsSession implements
// it; handlers see no Beast, socket or session internals, so they are small and testable.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "botfactory/jwt/tokens.hpp"
#include "ws/chat_ops.hpp"

namespace botfactory::gateway {

struct ServerContext;

/// One socket, as seen by an op handler. Every call on the socket's I/O thread.
class WsOpContext {
 public:
  /// What a handler's background work hands back: runs on the I/O thread while the socket is
  /// still open.
  using Continuation = std::function<void(WsOpContext&)>;

  virtual ~WsOpContext() = default;
  /// The claims of the socket's current token (kept alive by the returned pointer).
  virtual std::shared_ptr<const jwt::Claims> claims() const = 0;
  /// True when the socket joined `conversation_id` (and so was authorized for it).
  virtual bool joined(const std::string& conversation_id) const = 0;
  /// True when `conversation_id` is a room this socket joined (room.join); calls use it.
  virtual bool in_room(const std::string& conversation_id) const { (void)conversation_id; return false; }
  /// Queues a text frame (UTF-8 JSON) for the client, within the socket's budget.
  virtual void reply(std::string frame) = 0;
  /// Sends an `error` frame with `conversation_id` ("" = none).
  virtual void reply_error(const OpError& error, const std::string& conversation_id) = 0;
  /// Runs `work` on the gateway's bounded worker pool (blocking gRPC / Redis calls go there)
  /// and then its continuation on the I/O thread, unless the socket closed meanwhile. False
  /// when the worker queue is full (the handler answers `unavailable`).
  virtual bool run(std::function<Continuation()> work) = 0;
  /// The gateway's shared parts (upstreams, settings, call signalling …).
  virtual ServerContext& server() = 0;
  /// calls: the socket takes part in call `call_id` of `conversation_id` (it invited or
  /// answered; `active` false once it hung up or rejected). When the socket closes (not at a
  /// gateway shutdown), its calls are hung up with reason "disconnected". At most 4 are kept.
  virtual void track_call(const std::string& conversation_id, const std::string& call_id,
                          bool active) = 0;
};

/// Handles one client frame of an extension op: `frame` is the parsed object (control
/// characters already refused), `type` its "type".
using WsOpHandler = void (*)(WsOpContext& socket, const boost::json::object& frame);

/// The handler of extension op `type`, or nullptr (ws_ops.cpp holds the table).
WsOpHandler find_ws_op(std::string_view type);

/// For WsSession: when `text` is a JSON object whose "type" names an extension op, runs its
/// handler and returns true; false otherwise (the caller reports `unknown_type`).
bool dispatch_ws_op(WsOpContext& socket, std::string_view text);

}  // namespace botfactory::gateway
