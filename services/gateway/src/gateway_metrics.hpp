#pragma once
// The gateway's Prometheus metrics, registered once in metrics::Registry::global().

#include <string>

#include "botfactory/metrics/registry.hpp"

namespace botfactory::gateway {

/// References into the global registry; the hot-path ones are lock-free.
struct GatewayMetrics {
  metrics::Gauge& open_websockets;
  metrics::Counter& ws_frames_in;
  metrics::Counter& ws_frames_out;
  metrics::Counter& fanout_messages;    // events received from Redis
  metrics::Counter& fanout_deliveries;  // events handed to local sockets
  metrics::Counter& slow_consumer_closes;  // writes stalled for WS_SEND_TIMEOUT_MS
  metrics::Counter& ws_lagging;            // a socket fell WS_MAX_QUEUE behind on a conversation
  metrics::Counter& ws_deltas_dropped;     // message.delta frames skipped by a lagging socket
  metrics::Counter& ws_catchup_memory_frames;  // frames a lagging socket got from the hub
  metrics::Counter& ws_catchup_storage;        // catch-ups that had to read storage
  metrics::Counter& ws_rejected_upgrades;
  metrics::Gauge& ws_queued_bytes;        // counted outbound bytes of every socket (budget)
  metrics::Gauge& ws_queued_bytes_peak;   // the most one socket ever held
  metrics::Counter& ws_reads_paused;      // a socket went over WS_SEND_BUDGET_BYTES
  metrics::Counter& ws_budget_closes;     // closed with 1008 at WS_SEND_HARD_CAP_BYTES
  metrics::Counter& ws_rate_limited;      // inbound frames dropped by WS_RATE_PER_SEC
  metrics::Counter& ws_flood_closes;      // closed with 1008 over WS_FLOOD_FRAMES_PER_SEC
  metrics::Counter& ws_token_expired_closes;  // closed with 4001 at the token's exp
  metrics::Counter& ws_token_renewals;        // in-band renewals accepted
  metrics::Counter& ws_typing_relayed;        // typing frames past the per-socket throttle
  metrics::Histogram& http_latency;
  metrics::Counter& http_lingering_closes;   // connections closed lingering (linger_close)
  metrics::Counter& http_linger_bytes_cutoffs;  // ... cut at HTTP_LINGER_MAX_BYTES
  metrics::Counter& http_linger_time_cutoffs;   // ... cut at HTTP_LINGER_MS

  /// The process-wide instance.
  static GatewayMetrics& get();

  /// Counts one HTTP request of `route_class` (a route pattern or "static", "ops", "ws") that
  /// was answered with `status`; `seconds` is its latency.
  void observe_http(const std::string& route_class, int status, double seconds);
};

}  // namespace botfactory::gateway
