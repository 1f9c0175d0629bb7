#pragma once
// Blocking Redis PUBLISH over hiredis, safe to share between threads.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  /// PUBLISH of every (channel, payload) of `messages`, in order, in one round trip (a hiredis
  /// pipeline): Redis runs them in that order, so subscribers see them in it. Returns, per
  /// message, the subscribers that received it, or -1 each when Redis could not be reached or
  /// the connection broke midway (not retried: pub/sub is best effort).
  std::vector<std::int64_t> publish_many(
      const std::vector<std::pair<std::string, std::string>>& messages);
  /// PING; false when Redis cannot be reached.
  bool ping();

 private:
  BlockingClient client_;
};

}  // namespace botfactory::redis
