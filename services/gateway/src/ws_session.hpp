#pragma once
// The WebSocket side of `/ws` (docs/protocol.md). Included by the two Beast translation units
// only (http_server.cpp hands upgraded connections over, ws_session.cpp implements them).

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "botfactory/jwt/tokens.hpp"

namespace botfactory::gateway {

struct ServerContext;

/// Completes the WebSocket handshake on `socket` for the upgrade `request` of the holder of
/// `claims` (already verified) and runs the session until the socket closes. The socket's
/// executor must be a strand.
void run_websocket_session(boost::asio::ip::tcp::socket socket,
                           boost::beast::http::request<boost::beast::http::string_body> request,
                           jwt::Claims claims, ServerContext& context);

}  // namespace botfactory::gateway
