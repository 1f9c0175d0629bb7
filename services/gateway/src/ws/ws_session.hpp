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
/// over WS_MAX_FRAME_BYTES close it with 1009, invalid close frames with 1002 / 1007, a write
/// without progress for WS_SEND_TIMEOUT_MS or more than WS_SEND_HARD_CAP_BYTES held with 1008,
/// the token's expiry with 4001, shutdown with 1001; over WS_SEND_BUDGET_BYTES the socket is
/// not read until its queue drained, and live frames catch up later; at
/// WS_MAX_IN_FLIGHT_PER_SOCKET messages in flight it is not read until one is answered
/// (IngestLanes; message.send goes out on gRPC's callback API); pings after half of
/// WS_IDLE_TIMEOUT_S idle. The socket's executor must be the gateway's one I/O thread.
/// `connection_slot` (ConnectionLimits) is held until the session ends.
void run_websocket_session(boost::asio::ip::tcp::socket socket,
                           boost::beast::http::request<boost::beast::http::string_body> request,
                           jwt::Claims claims, ServerContext& context,
                           std::shared_ptr<const void> connection_slot);

}  // namespace botfactory::gateway
