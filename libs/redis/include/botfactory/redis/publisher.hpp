#pragma once
// Blocking Redis PUBLISH over hiredis, safe to share between threads.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "botfactory/redis/blocking_client.hpp"

namespace botfactory::redis {

/// Publishes messages (Redis PUBLISH, https://redis.io/commands/publish/) over a
/// BlockingClient. Pub/sub is best effort: a failed publish is reported, never retried
/// (clients resume by seq).
class Publisher {
 public:
  /// `host`/`port` of the Redis server; `timeout` bounds connect and each command.
  Publisher(std::string host, int port,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(1000),
            Credentials credentials = {});

  /// PUBLISH `channel` `payload` (binary-safe). Returns the number of subscribers that received
  /// it, or -1 when Redis could not be reached.
  std::int64_t publish(std::string_view channel, std::string_view payload);
  /// PING; false when Redis cannot be reached.
  bool ping();

 private:
  BlockingClient client_;
};

}  // namespace botfactory::redis
