#pragma once
// Fixed-window request counters in Redis, shared by every replica (rate limits).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "botfactory/redis/blocking_client.hpp"

namespace botfactory::redis {

/// The state of one window after a hit.
struct WindowCount {
  std::int64_t count = 0;               // hits in the current window, this one included
  std::chrono::milliseconds resets_in{0};  // until the window ends (and the count restarts)
};

/// Counts hits per key in fixed windows: the first hit starts a window of `window` (INCR, then
/// PEXPIRE on the first hit, atomically in one Lua script: https://redis.io/commands/incr/,
/// "Pattern: Rate limiter 2"). Thread-safe.
class WindowCounter {
 public:
  /// `host`/`port` of the Redis server; `timeout` bounds connect and each call.
  WindowCounter(std::string host, int port,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(500),
                Credentials credentials = {});

  /// Counts one hit on `key` (binary-safe) in a window of `window` (> 0). Returns nullopt when
  /// Redis cannot be reached or answers with an error (the caller decides: fail open or closed).
  std::optional<WindowCount> hit(std::string_view key, std::chrono::milliseconds window);

 private:
  BlockingClient client_;
};

}  // namespace botfactory::redis
