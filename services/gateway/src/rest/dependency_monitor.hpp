#pragma once
// Watches the gateway's dependencies (the four upstream services and Redis) in the background,
// so that /readyz answers from memory and a dead service is known before a request hits it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace botfactory::gateway {

struct Upstreams;

/// One dependency's state as /readyz reports it.
struct DependencyStatus {
  std::string name;  // "redis", "auth", "subscription", "bot-registry", "channel-connector"
  bool up = false;
  bool required = false;  // needed for live chat: down → not ready
};

/// Every `interval`, probes each upstream (Upstreams::probe, grpc.health.v1 with
/// `probe_timeout`; feeds its circuit breaker) and reads `redis_up`; publishes
/// gateway_dependency_up{dependency} (1/0). Readiness (docs/api.md, "Health"): live chat needs
/// Redis and channel-connector (tokens are verified locally), so only those two make the
/// gateway unready; the others disable just the routes that call them. Thread-safe.
class DependencyMonitor {
 public:
  DependencyMonitor(const Upstreams& upstreams, std::function<bool()> redis_up,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(1000),
                    std::chrono::milliseconds probe_timeout = std::chrono::milliseconds(1000));
  /// Calls stop().
  ~DependencyMonitor();
  DependencyMonitor(const DependencyMonitor&) = delete;
  DependencyMonitor& operator=(const DependencyMonitor&) = delete;

  /// Starts the probing thread (the first round at once).
  void start();
  /// Stops and joins it. Idempotent.
  void stop();

  /// The current state of every dependency (Redis first). Non-blocking.
  std::vector<DependencyStatus> status() const;
  /// True once a first round of probes finished and every required dependency is up.
  bool ready() const;
  /// True once a first round of probes finished (before it, every state is unknown).
  bool probed() const { return probed_; }

 private:
  void run();
  void probe_all();

  const Upstreams& upstreams_;
  const std::function<bool()> redis_up_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds probe_timeout_;
  std::atomic<bool> probed_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace botfactory::gateway
