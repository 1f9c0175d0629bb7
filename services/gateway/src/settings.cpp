#include "settings.hpp"

#include <boost/json.hpp>

#include "botfactory/common/config.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/secrets.hpp"
#include "botfactory/rpc/internal_auth.hpp"

namespace botfactory::gateway {

namespace {

/// WEBRTC_ICE_SERVERS must be a JSON array of objects with "urls" (RTCIceServer, W3C WebRTC
/// section 4.2.1), at most 16 KiB; returned re-serialized. Throws common::ConfigError.
std::string check_ice_servers(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  bool ok = !ec && value.is_array() && text.size() <= 16384;
  if (ok) {
    for (const auto& server : value.get_array()) {
      if (!server.is_object() || !server.get_object().contains("urls")) ok = false;
    }
  }
  if (!ok) {
    throw common::ConfigError(
        "WEBRTC_ICE_SERVERS must be a JSON array of {\"urls\": …, \"username\"?, "
        "\"credential\"?} objects");
  }
  return boost::json::serialize(value);
}

}  // namespace

GatewaySettings GatewaySettings::from_env() {
  using common::env_int;
  using common::env_string;
  GatewaySettings s;
  s.http_listen = env_string("HTTP_LISTEN", s.http_listen);
  s.metrics_listen = env_string("GATEWAY_METRICS_LISTEN", "");
  s.web_root = env_string("WEB_ROOT", s.web_root);
  s.max_body_bytes = static_cast<std::size_t>(env_int("MAX_BODY_BYTES", 1 << 20, 1024, 1LL << 30));
  s.max_upload_bytes =
      static_cast<std::size_t>(env_int("MAX_UPLOAD_BYTES", 8 << 20, 1024, 1LL << 30));
  // files: below RPC_MAX_MESSAGE_BYTES (16 MiB), the file travels to channel-connector in one call.
  s.max_attachment_bytes =
      static_cast<std::size_t>(env_int("ATTACHMENT_MAX_BYTES", 10 << 20, 1024, 15 << 20));
  s.ws_max_frame_bytes =
      static_cast<std::size_t>(env_int("WS_MAX_FRAME_BYTES", 16384, 256, 16 << 20));
  s.ws_max_queue = static_cast<std::size_t>(env_int("WS_MAX_QUEUE", 1024, 1, 1 << 20));
  // A budget holds at least a few of the largest frames (a 4000-character message ≈ 17 KiB);
  // the hard cap leaves room above it for a replay page and the replies in flight.
  s.ws_send_budget_bytes = static_cast<std::size_t>(
      env_int("WS_SEND_BUDGET_BYTES", 256 * 1024, 32 * 1024, 1LL << 30));
  s.ws_send_hard_cap_bytes = static_cast<std::size_t>(
      env_int("WS_SEND_HARD_CAP_BYTES", 1 << 20, 64 * 1024, 1LL << 32));
  if (s.ws_send_hard_cap_bytes < 2 * s.ws_send_budget_bytes) {
    throw common::ConfigError("WS_SEND_HARD_CAP_BYTES must be at least twice WS_SEND_BUDGET_BYTES");
  }
  s.ws_send_timeout =
      std::chrono::milliseconds(env_int("WS_SEND_TIMEOUT_MS", 30000, 100, 3600 * 1000));
  s.fanout_recent_frames =
      static_cast<std::size_t>(env_int("FANOUT_RECENT_FRAMES", 1024, 0, 1 << 20));
  s.ws_idle_timeout = std::chrono::seconds(env_int("WS_IDLE_TIMEOUT_S", 300, 10, 86400));
  s.ws_rate_per_sec = static_cast<double>(env_int("WS_RATE_PER_SEC", 10, 1, 100000));
  s.ws_burst = static_cast<double>(env_int("WS_RATE_BURST", 20, 1, 100000));
  s.ws_flood_frames_per_sec =
      static_cast<double>(env_int("WS_FLOOD_FRAMES_PER_SEC", 100, 1, 10000000));
  s.ws_flood_burst = static_cast<double>(env_int("WS_FLOOD_BURST", 200, 1, 10000000));
  s.workers = static_cast<int>(env_int("GATEWAY_WORKERS", 8, 1, 1024));
  s.rpc_timeout = rpc::rpc_timeout_from_env();
  s.http_timeout = std::chrono::seconds(env_int("HTTP_TIMEOUT_S", 30, 1, 3600));
  s.http_linger_max_bytes =
      static_cast<std::size_t>(env_int("HTTP_LINGER_MAX_BYTES", 4 << 20, 0, 1LL << 30));
  s.http_linger = std::chrono::milliseconds(env_int("HTTP_LINGER_MS", 2000, 0, 60000));
  s.http_linger_refusals = static_cast<std::size_t>(env_int("HTTP_LINGER_REFUSALS", 64, 0, 100000));
  s.auth_addr = env_string("AUTH_ADDR", s.auth_addr);
  s.subscription_addr = env_string("SUBSCRIPTION_ADDR", s.subscription_addr);
  s.registry_addr = env_string("REGISTRY_ADDR", s.registry_addr);
  s.channel_addr = env_string("CHANNEL_ADDR", s.channel_addr);
  s.redis_host = env_string("REDIS_HOST", s.redis_host);
  s.redis_port = static_cast<int>(env_int("REDIS_PORT", 6379, 1, 65535));
  s.redis_client_name = env_string("REDIS_CLIENT_NAME", s.redis_client_name);
  if (s.redis_client_name.find_first_of(" \t\r\n") != std::string::npos) {
    throw common::ConfigError("REDIS_CLIENT_NAME must not contain spaces");
  }
  s.redis_credentials = redis::credentials_from_env();
  s.redis_key_prefix = env_string("REDIS_KEY_PREFIX", s.redis_key_prefix);
  s.presence_heartbeat = std::chrono::milliseconds(env_int("PRESENCE_HEARTBEAT_MS", 5000, 100, 600000));
  s.presence_ttl = std::chrono::milliseconds(env_int("PRESENCE_TTL_MS", 15000, 200, 3600000));
  s.room_typing_ttl = std::chrono::milliseconds(env_int("ROOM_TYPING_TTL_MS", 6000, 1000, 60000));
  if (s.presence_ttl <= s.presence_heartbeat) {
    throw common::ConfigError("PRESENCE_TTL_MS must be greater than PRESENCE_HEARTBEAT_MS");
  }
  s.rate_limit_sessions_per_min =
      static_cast<int>(env_int("RATE_LIMIT_SESSIONS_PER_MIN", 30, 0, 1000000));
  s.rate_limit_auth_per_min = static_cast<int>(env_int("RATE_LIMIT_AUTH_PER_MIN", 60, 0, 1000000));
  s.rate_limit_widget_per_min =
      static_cast<int>(env_int("RATE_LIMIT_WIDGET_PER_MIN", 300, 0, 1000000));
  s.trusted_proxy_hops = static_cast<int>(env_int("TRUSTED_PROXY_HOPS", 0, 0, 16));
  if (env_string("TRUSTED_PROXY_HOPS", "").empty() && env_int("TRUST_X_FORWARDED_FOR", 0, 0, 1) == 1) {
    // Deprecated: TRUST_X_FORWARDED_FOR=1 trusted the first (client-written) entry; it now
    // means one trusted proxy hop.
    s.trusted_proxy_hops = 1;
    common::logger("gateway")->warn(
        "TRUST_X_FORWARDED_FOR is deprecated: set TRUSTED_PROXY_HOPS=1 instead");
  }
  s.max_connections = static_cast<int>(env_int("MAX_CONNECTIONS", 10000, 1, 1000000));
  s.max_connections_per_ip = static_cast<int>(env_int("MAX_CONNECTIONS_PER_IP", 256, 0, 1000000));
  s.worker_queue = static_cast<std::size_t>(env_int("GATEWAY_WORKER_QUEUE", 1024, 1, 1 << 20));
  s.ingest_max_queue_wait_ms =
      static_cast<int>(env_int("INGEST_MAX_QUEUE_WAIT_MS", 1000, 1, 600000));
  s.ingest_max_in_flight =
      static_cast<std::size_t>(env_int("INGEST_MAX_IN_FLIGHT", 1024, 1, 1 << 20));
  s.ingest_max_calls = static_cast<std::size_t>(env_int("INGEST_MAX_CALLS", 8, 0, 1 << 16));
  s.ws_max_in_flight_per_socket =
      static_cast<std::size_t>(env_int("WS_MAX_IN_FLIGHT_PER_SOCKET", 8, 1, 1024));
  s.jwt_secret = common::require_secret("JWT_SECRET");
  s.jwt_issuer = env_string("JWT_ISSUER", s.jwt_issuer);
  s.call_ring_timeout =
      std::chrono::milliseconds(env_int("CALL_RING_TIMEOUT_MS", 30000, 1000, 600000));
  s.call_max = std::chrono::milliseconds(env_int("CALL_MAX_MS", 4 * 3600 * 1000, 60000, 86400000));
  s.webrtc_ice_servers = check_ice_servers(env_string("WEBRTC_ICE_SERVERS", "[]"));
  s.token_revocation_cache_max =
      static_cast<std::size_t>(env_int("TOKEN_REVOCATION_CACHE_MAX", 10000, 1, 10000000));
  s.token_revocation_cache_ttl =
      std::chrono::milliseconds(env_int("TOKEN_REVOCATION_CACHE_TTL_MS", 1000, 0, 60000));
  rpc::internal_token();  // INTERNAL_RPC_SECRET: checked at start, not at the first call
  split_host_port(s.http_listen);  // fail fast on a malformed address
  if (!s.metrics_listen.empty()) split_host_port(s.metrics_listen);
  return s;
}

std::pair<std::string, unsigned short> split_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw common::ConfigError("expected host:port, got " + address);
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw common::ConfigError("expected host:port, got " + address);
  return {host, static_cast<unsigned short>(port)};
}

}  // namespace botfactory::gateway
