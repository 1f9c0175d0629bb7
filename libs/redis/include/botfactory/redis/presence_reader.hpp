#pragma once
// Reads presence written by PresenceHeartbeat.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/presence_heartbeat.hpp"

namespace botfactory::redis {

/// Reads the members of a presence key whose heartbeat has not expired (score > now in ms since
/// the epoch; https://redis.io/commands/zcount/). Thread-safe when `client` is (BlockingClient is).
class PresenceReader {
 public:
  /// `client` must outlive the reader; `clock` empty = the system clock.
  explicit PresenceReader(BlockingClient& client, WallClock clock = {});

  /// How many members are present in `key` now; nullopt when Redis cannot answer.
  std::optional<std::int64_t> count(const std::string& key);
  /// The members present in `key` now (at most `limit`); nullopt when Redis cannot answer.
  std::optional<std::vector<std::string>> members(const std::string& key, std::size_t limit = 1000);

 private:
  std::string now_ms() const;

  BlockingClient& client_;
  WallClock clock_;
};

}  // namespace botfactory::redis
