#pragma once
// Gateway configuration: every value from an environment variable with a local default.

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

#include "botfactory/redis/credentials.hpp"

namespace botfactory::gateway {

/// Everything the gateway reads from its environment (docs/architecture.md lists them).
struct GatewaySettings {
  std::string http_listen = "127.0.0.1:8080";  // HTTP_LISTEN, host:port (port 0 = any free)
  std::string web_root = "web/dist";           // WEB_ROOT, static files of the web app
  // GATEWAY_METRICS_LISTEN, host:port: when set, /metrics /healthz /readyz are also served there
  // and /metrics is no longer served on the public HTTP_LISTEN port (404).
  std::string metrics_listen;
  std::size_t max_body_bytes = 1 << 20;        // MAX_BODY_BYTES, REST request bodies
  std::size_t max_upload_bytes = 8 << 20;      // MAX_UPLOAD_BYTES, knowledge uploads
  std::size_t max_attachment_bytes = 10 << 20; // ATTACHMENT_MAX_BYTES, ceiling of any plan's file cap
  std::size_t ws_max_frame_bytes = 16384;      // WS_MAX_FRAME_BYTES, inbound message limit
  std::size_t ws_max_queue = 1024;             // WS_MAX_QUEUE, live frames queued per socket
  std::size_t ws_send_budget_bytes = 256 * 1024;  // WS_SEND_BUDGET_BYTES, counted per socket
  std::size_t ws_send_hard_cap_bytes = 1 << 20;   // WS_SEND_HARD_CAP_BYTES, past it → 1008
  std::chrono::milliseconds ws_send_timeout{30000};  // WS_SEND_TIMEOUT_MS, stalled write → 1008
  std::size_t fanout_recent_frames = 1024;  // FANOUT_RECENT_FRAMES, kept per conversation (30 s)
  std::chrono::seconds ws_idle_timeout{300};   // WS_IDLE_TIMEOUT_S, ping at half of it
  double ws_rate_per_sec = 10;                 // WS_RATE_PER_SEC, inbound frames refill rate
  double ws_burst = 20;                        // WS_RATE_BURST, token bucket size
  double ws_flood_frames_per_sec = 100;        // WS_FLOOD_FRAMES_PER_SEC: every frame, pings too
  double ws_flood_burst = 200;                 // WS_FLOOD_BURST: over both → close 1008
  int workers = 8;                             // GATEWAY_WORKERS, blocking gRPC calls
  std::chrono::milliseconds rpc_timeout{5000};  // RPC_TIMEOUT_MS
  std::chrono::seconds http_timeout{30};        // HTTP_TIMEOUT_S, per request read/write
  // Lingering close (RFC 9112 section 9.6, as nginx's lingering_close): after a response that
  // closes the connection (an early 413 / 401 before the body was read), the rest of what the
  // client still sends is read and dropped — at most this many bytes, for at most this long —
  // so that it reads the answer instead of a reset. 0 (either) = close at once.
  std::size_t http_linger_max_bytes = 4 << 20;  // HTTP_LINGER_MAX_BYTES
  std::chrono::milliseconds http_linger{2000};  // HTTP_LINGER_MS
  // gwleft: connections refused at accept (over MAX_CONNECTIONS / MAX_CONNECTIONS_PER_IP) that
  // may linger after their 503 at once; they hold no connection slot, so this bounds their
  // sockets (each at most HTTP_LINGER_MS). Past it a refused connection is closed at once.
  std::size_t http_linger_refusals = 64;  // HTTP_LINGER_REFUSALS (0 = never linger)
  std::string auth_addr = "127.0.0.1:50051";          // AUTH_ADDR
  std::string subscription_addr = "127.0.0.1:50052";  // SUBSCRIPTION_ADDR
  std::string registry_addr = "127.0.0.1:50053";      // REGISTRY_ADDR
  std::string channel_addr = "127.0.0.1:50055";       // CHANNEL_ADDR
  std::string redis_host = "127.0.0.1";               // REDIS_HOST
  int redis_port = 6379;                              // REDIS_PORT
  std::string redis_client_name = "botfactory-gateway";  // REDIS_CLIENT_NAME (CLIENT SETNAME)
  redis::Credentials redis_credentials;  // REDIS_USERNAME, REDIS_PASSWORD (AUTH when set)
  std::string redis_key_prefix = "bf:";  // REDIS_KEY_PREFIX, for keys (several deployments per Redis)
  // Visitor presence per conversation in Redis (ws/visitor_presence.hpp): refresh period and
  // expiry; a crashed replica's visitors drop out within presence_ttl.
  std::chrono::milliseconds presence_heartbeat{5000};  // PRESENCE_HEARTBEAT_MS
  std::chrono::milliseconds presence_ttl{15000};       // PRESENCE_TTL_MS (> heartbeat)
  // Rooms: a typing `start` not repeated within it is over (clients drop it).
  std::chrono::milliseconds room_typing_ttl{6000};     // ROOM_TYPING_TTL_MS
  int rate_limit_sessions_per_min = 30;  // RATE_LIMIT_SESSIONS_PER_MIN per client IP (0 = off)
  /// RATE_LIMIT_WIDGET_PER_MIN: widget appearance reads (GET /api/v1/widget/{public_id}, one per
  /// page view) per client IP per minute (0 = off); higher than sessions since every page asks.
  int rate_limit_widget_per_min = 300;
  int rate_limit_auth_per_min = 60;      // RATE_LIMIT_AUTH_PER_MIN per client IP (0 = off)
  int trusted_proxy_hops = 0;  // TRUSTED_PROXY_HOPS: proxies appending X-Forwarded-For (0 = none)
  int max_connections = 10000;          // MAX_CONNECTIONS, open HTTP + WebSocket connections
  int max_connections_per_ip = 256;     // MAX_CONNECTIONS_PER_IP per peer address (IPv6 /64)
  std::size_t worker_queue = 1024;      // GATEWAY_WORKER_QUEUE, jobs waiting for a worker
  int ingest_max_queue_wait_ms = 1000;  // INGEST_MAX_QUEUE_WAIT_MS: a message.send that waited
                                        // in its conversation's lane is refused (unavailable)
  std::size_t ingest_max_in_flight = 1024;  // INGEST_MAX_IN_FLIGHT: message.send admitted and not
                                            // answered, whole gateway; more → unavailable
  std::size_t ingest_max_calls = 8;  // INGEST_MAX_CALLS: PostMessage calls on the wire (0 = any)
  std::size_t ws_max_in_flight_per_socket = 8;  // WS_MAX_IN_FLIGHT_PER_SOCKET: at it, reads pause
  std::string jwt_secret;  // JWT_SECRET (required: common::require_secret)
  std::string jwt_issuer = "botfactory";                                         // JWT_ISSUER
  // calls (docs/protocol.md "Calls"): ring timeout, busy / record expiry, and the STUN/TURN
  // servers handed to browsers (RTCConfiguration.iceServers, a JSON array; "[]" = none).
  std::chrono::milliseconds call_ring_timeout{30000};        // CALL_RING_TIMEOUT_MS
  std::chrono::milliseconds call_max{4 * 3600 * 1000};       // CALL_MAX_MS
  std::string webrtc_ice_servers = "[]";                     // WEBRTC_ICE_SERVERS
  // Revoked user tokens (http/token_revocation.hpp): users cached, freshness of a cached answer.
  std::size_t token_revocation_cache_max = 10000;                  // TOKEN_REVOCATION_CACHE_MAX
  std::chrono::milliseconds token_revocation_cache_ttl{1000};      // TOKEN_REVOCATION_CACHE_TTL_MS

  /// Reads the environment. Throws common::ConfigError for a value that cannot be used.
  static GatewaySettings from_env();
};

/// Splits "host:port" (IPv6 as "[::1]:8080"). Throws common::ConfigError when malformed.
std::pair<std::string, unsigned short> split_host_port(const std::string& address);

}  // namespace botfactory::gateway
