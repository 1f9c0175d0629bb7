#pragma once
// Blocking Redis PUBLISH over hiredis, safe to share between threads.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

struct redisContext;

namespace botfactory::redis {

/// Publishes messages (Redis PUBLISH, https://redis.io/commands/publish/). Connects lazily and
/// reconnects after an error; calls are serialized by a mutex. Pub/sub is best effort: a failed
/// publish is reported, never retried (clients resume by seq).
class Publisher {
 public:
  /// `host`/`port` of the Redis server; `timeout` bounds connect and each command.
  Publisher(std::string host, int port,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  /// PUBLISH `channel` `payload` (binary-safe). Returns the number of subscribers that received
  /// it, or -1 when Redis could not be reached.
  std::int64_t publish(std::string_view channel, std::string_view payload);
  /// PING; false when Redis cannot be reached.
  bool ping();

 private:
  bool ensure_connected();
  void drop();

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  redisContext* context_ = nullptr;
};

}  // namespace botfactory::redis
