#pragma once
// Minimum spacing between events per key in Redis, shared by every replica (send-rate limits).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/redis/blocking_client.hpp"

namespace botfactory::redis {

/// One key of a SpacedSlots::reserve() call: two booked events of `key` are at least `spacing`
/// apart (> 0).
struct SpacedKey {
  std::string key;
  std::chrono::microseconds spacing{0};
};

/// Books one event on several keys at once, atomically in one Lua script (EVAL,
/// https://redis.io/docs/interact/programmability/eval-intro/): when every key's last booked
/// event is at least its spacing ago, the event is booked on all of them at `now`; otherwise
/// nothing is booked and the wait until the last key frees up is returned. `now` is Redis'
/// TIME (one clock for every replica) unless the caller passes its own (tests). Each key
/// expires 1 s after its spacing ends, so memory stays bounded. Thread-safe.
class SpacedSlots {
 public:
  /// The outcome of reserve(): `wait` zero = booked at `at_us` (µs, Redis TIME or the caller's).
  struct Slot {
    std::chrono::microseconds wait{0};
    std::int64_t at_us = 0;
  };

  /// `host`/`port` of the Redis server; `timeout` bounds connect and each call.
  SpacedSlots(std::string host, int port,
              std::chrono::milliseconds timeout = std::chrono::milliseconds(250),
              Credentials credentials = {});

  /// Books one event on every key of `keys` (1..8 keys) if all are free at `now_us` (µs on any
  /// clock shared by every caller; 0 = Redis' TIME). Returns nullopt when Redis cannot be
  /// reached or answers with an error (the caller decides: fail open or local).
  std::optional<Slot> reserve(const std::vector<SpacedKey>& keys, std::int64_t now_us = 0);

  /// Moves `key`'s last event forward to `now_us` (0 = Redis' TIME) when it is older: the next
  /// reserve() counts the spacing from there (e.g. from when a send completed rather than when
  /// it was booked). False when Redis did not answer.
  bool touch(const SpacedKey& key, std::int64_t now_us = 0);

 private:
  BlockingClient client_;
};

}  // namespace botfactory::redis
