#pragma once
// The live connections of one gateway instance, so that shutdown can close each of them.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace botfactory::gateway {

/// A connection that can be asked to end (from any thread).
class Closable {
 public:
  virtual ~Closable() = default;
  /// WebSocket: close with 1001 going away. HTTP: close when idle, else after the response
  /// in progress.
  virtual void shutdown() = 0;
  /// Periodic housekeeping at `now` (WebSocket keep-alive pings and idle timeout).
  virtual void tick(std::chrono::steady_clock::time_point now) {}
};

/// Thread-safe set of weak references to live connections.
class SessionRegistry {
 public:
  void add(const std::shared_ptr<Closable>& session);
  void remove(const Closable* session);
  /// Calls shutdown() on every live connection (outside the lock).
  void shutdown_all();
  /// Calls tick(now) on every live connection (outside the lock).
  void tick_all(std::chrono::steady_clock::time_point now);
  std::size_t size() const;

 private:
  std::vector<std::shared_ptr<Closable>> snapshot() const;

  mutable std::mutex mutex_;
  std::unordered_map<const Closable*, std::weak_ptr<Closable>> sessions_;
};

}  // namespace botfactory::gateway
