#pragma once
// A minimal HTTP/1.1 listener for the ops endpoints of non-gateway services:
// GET /metrics (Prometheus text), /healthz (process alive), /readyz (dependencies reachable).

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace botfactory::metrics {

class Registry;

/// Serves the three ops endpoints on its own thread, one short request per connection.
/// Requests over 8 KiB or slower than 2 s are dropped. Other paths get 404.
class HttpEndpoint {
 public:
  /// Binds `host:port` (port 0 picks a free one). `ready` is called for /readyz and must be
  /// thread-safe. Throws std::runtime_error when the address cannot be bound.
  HttpEndpoint(const std::string& host, int port, Registry& registry, std::function<bool()> ready);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }
  void stop();

 private:
  void run();
  void serve(int client);

  Registry& registry_;
  std::function<bool()> ready_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace botfactory::metrics
