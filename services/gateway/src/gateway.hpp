#pragma once
// One gateway instance: HTTP/WebSocket server, worker pool, upstream clients, Redis subscriber
// and fan-out hub, wired together. Several instances may run in one process (tests).

#include <chrono>
#include <memory>

#include "settings.hpp"

namespace botfactory::gateway {

class FanoutHub;

/// Owns every part of an instance and its threads (one I/O thread, GATEWAY_WORKERS workers for
/// blocking calls).
class Gateway {
 public:
  explicit Gateway(GatewaySettings settings);
  /// Calls stop().
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  /// Binds HTTP_LISTEN, connects the Redis subscriber and starts the threads. Throws when the
  /// address cannot be bound. Call block_termination_signals() before, in main().
  void start();
  /// The bound HTTP port.
  unsigned short port() const;
  /// The GATEWAY_METRICS_LISTEN port once started (0 when not set).
  int metrics_port() const;
  /// Graceful shutdown: stop accepting, close every WebSocket with 1001, let in-flight HTTP
  /// requests finish (waiting up to `grace`), then stop the threads. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));

  /// True once the Redis subscriber is connected (and re-subscribed).
  bool redis_connected() const;
  /// Open connections (HTTP and WebSocket).
  std::size_t connection_count() const;
  /// The fan-out hub (tests).
  FanoutHub& hub();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace botfactory::gateway
