#include "gateway_metrics.hpp"

namespace botfactory::gateway {

GatewayMetrics& GatewayMetrics::get() {
  auto& r = metrics::Registry::global();
  static GatewayMetrics instance{
      r.gauge("gateway_websockets_open", "Open WebSocket connections"),
      r.counter("gateway_ws_frames_in_total", "WebSocket text frames received from clients"),
      r.counter("gateway_ws_frames_out_total", "WebSocket text frames written to clients"),
      r.counter("gateway_fanout_messages_total", "Chat events received from Redis pub/sub"),
      r.counter("gateway_fanout_deliveries_total", "Chat events handed to local WebSocket sockets"),
      r.counter("gateway_ws_slow_consumer_closes_total",
                "WebSockets closed with 1008 because a write made no progress for "
                "WS_SEND_TIMEOUT_MS"),
      r.counter("gateway_ws_lagging_total",
                "Times a socket fell WS_MAX_QUEUE frames behind on a conversation and switched "
                "to catching up from storage"),
      r.counter("gateway_ws_deltas_dropped_total",
                "message.delta frames not sent to a socket that was WS_MAX_QUEUE frames behind"),
      r.counter("gateway_ws_catchup_memory_frames_total",
                "Frames a socket that fell behind caught up on from the gateway's recent frames"),
      r.counter("gateway_ws_catchup_storage_total",
                "Catch-ups of a socket that fell behind that needed a replay from storage"),
      r.counter("gateway_ws_rejected_upgrades_total", "WebSocket upgrades refused (bad token)"),
      r.gauge("gateway_ws_queued_bytes",
              "Outbound bytes the WebSocket sockets hold, counted against WS_SEND_BUDGET_BYTES "
              "(payload + 64 per frame)"),
      r.gauge("gateway_ws_queued_bytes_peak",
              "The most outbound bytes one WebSocket socket held since the gateway started"),
      r.counter("gateway_ws_reads_paused_total",
                "Times a socket went over WS_SEND_BUDGET_BYTES and the gateway stopped reading "
                "from it until its queue drained"),
      r.counter("gateway_ws_budget_closes_total",
                "WebSockets closed with 1008 at WS_SEND_HARD_CAP_BYTES"),
      r.counter("gateway_ws_rate_limited_total",
                "Inbound WebSocket messages dropped over WS_RATE_PER_SEC / WS_RATE_BURST"),
      r.counter("gateway_ws_flood_closes_total",
                "WebSockets closed with 1008 for sending frames of any kind (pings included) "
                "over WS_FLOOD_FRAMES_PER_SEC / WS_FLOOD_BURST"),
      r.counter("gateway_ws_token_expired_closes_total",
                "WebSockets closed with 4001 because their access token expired"),
      r.counter("gateway_ws_token_renewals_total", "In-band token renewals accepted (auth frames)"),
      r.counter("gateway_ws_typing_relayed_total",
                "typing frames relayed to a conversation's other sockets (past the throttle)"),
      r.histogram("gateway_http_request_duration_seconds", "HTTP request latency",
                  metrics::latency_buckets()),
      r.counter("gateway_http_lingering_closes_total",
                "Connections closed lingering: after a closing response the client's unread "
                "bytes are dropped (HTTP_LINGER_MAX_BYTES, HTTP_LINGER_MS)"),
      r.counter("gateway_http_linger_cutoffs_total",
                "Lingering closes ended by a bound (bytes or time) before the client closed",
                "bound=\"bytes\""),
      r.counter("gateway_http_linger_cutoffs_total",
                "Lingering closes ended by a bound (bytes or time) before the client closed",
                "bound=\"time\""),
  };
  return instance;
}

void GatewayMetrics::observe_http(const std::string& route_class, int status, double seconds) {
  metrics::Registry::global()
      .counter("gateway_http_requests_total", "HTTP requests by route class and status",
               "route=\"" + route_class + "\",code=\"" + std::to_string(status) + "\"")
      .inc();
  http_latency.observe(seconds);
}

}  // namespace botfactory::gateway
