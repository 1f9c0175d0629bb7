#pragma once
// Lingering close (RFC 9112 section 9.6; nginx's lingering_close) of a connection the gateway
// refused: after a closing response (an early 413 / 401 from the request head, the 503 of a
// connection over MAX_CONNECTIONS / MAX_CONNECTIONS_PER_IP), the rest of what the client still
// sends is read and dropped, within bounds, so that the client reads the answer instead of a
// reset. Closing a socket with unread bytes makes the kernel answer a reset, and a client still
// writing its body may then lose the response it has not read yet.

#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/ip/tcp.hpp>

namespace botfactory::gateway {

struct GatewayMetrics;

/// How long a lingering close may read: at most `max_bytes` bytes for at most `time` (one
/// deadline for the whole linger). Either 0 = close at once.
struct LingerBounds {
  std::size_t max_bytes = 0;  // HTTP_LINGER_MAX_BYTES
  std::chrono::milliseconds time{0};  // HTTP_LINGER_MS
};

/// Half-closes `socket` (nothing more is sent), then reads and drops what the peer still sends
/// until it closes or a bound of `bounds` is reached, then closes. Asynchronous on the socket's
/// executor: the caller never waits. `hold` (e.g. a MAX_CONNECTIONS slot) is kept until the
/// close, never past the bounds. Metrics: gateway_http_lingering_closes_total (every linger),
/// gateway_http_linger_cutoffs_total{bound="bytes"|"time"} (ended by a bound). Never throws.
void lingering_close(boost::asio::ip::tcp::socket socket, LingerBounds bounds,
                     GatewayMetrics& metrics, std::shared_ptr<const void> hold = {});

}  // namespace botfactory::gateway
