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
  metrics::Histogram& http_latency;

  /// The process-wide instance.
  static GatewayMetrics& get();

  /// Counts one HTTP request of `route_class` (a route pattern or "static", "ops", "ws") that
  /// was answered with `status`; `seconds` is its latency.
  void observe_http(const std::string& route_class, int status, double seconds);
};

}  // namespace botfactory::gateway
