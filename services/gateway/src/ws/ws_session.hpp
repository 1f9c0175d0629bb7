#pragma once
// The WebSocket side of `/ws` (docs/protocol.md): Beast performs the opening handshake, then the
// session frames messages itself (ws_framing.hpp) on the bare socket. Included by the two Beast
// translation units only (http_server.cpp hands upgraded connections over).

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "botfactory/jwt/tokens.hpp"

namespace botfactory::gateway {

struct ServerContext;

/// Completes the WebSocket handshake on `socket` for the upgrade `request` of the holder of
/// `claims` (already verified) and runs the session until the socket closes: inbound messages
/// over WS_MAX_FRAME_BYTES close it with 1009, a write without progress for WS_SEND_TIMEOUT_MS
/// with 1008, shutdown with 1001; a full outbound queue (WS_MAX_QUEUE) switches a conversation to
/// catching up from storage; pings after half of WS_IDLE_TIMEOUT_S idle. The socket's executor
/// must be a strand. `connection_slot` (ConnectionLimits) is held until the session ends.
void run_websocket_session(boost::asio::ip::tcp::socket socket,
                           boost::beast::http::request<boost::beast::http::string_body> request,
                           jwt::Claims claims, ServerContext& context,
                           std::shared_ptr<const void> connection_slot);

}  // namespace botfactory::gateway
