#pragma once
// Presence with heartbeats in Redis: a process records "member M is in K" for as long as it
// refreshes it, so whatever a crashed process held drops out within a bounded time.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "botfactory/redis/blocking_client.hpp"

namespace botfactory::redis {

/// The wall clock presence scores are written and read with (tests inject one).
using WallClock = std::function<std::chrono::system_clock::time_point()>;

/// Timing of presence; every writer and reader of the same keys must share the TTL.
struct PresenceSettings {
  /// How often every held entry is refreshed (PRESENCE_HEARTBEAT_MS); must be below ttl.
  std::chrono::milliseconds heartbeat{5000};
  /// How long an entry stays present without a refresh (PRESENCE_TTL_MS): the bound within which
  /// a crashed process's entries drop out.
  std::chrono::milliseconds ttl{15000};
  /// Entries per pipelined round trip (members of one key share one ZADD / ZREM, and one
  /// PEXPIRE + ZREMRANGEBYSCORE per key per round).
  std::size_t batch = 200;
};

/// Keeps (key, member) entries in Redis sorted sets: `ZADD key <expiry ms since epoch> member`
/// with `PEXPIRE key ttl` and `ZREMRANGEBYSCORE key -inf <now>` (drops members nobody refreshes),
/// for every held entry at each heartbeat, in pipelined batches (https://redis.io/commands/zadd/):
/// one multi-member ZADD, one PEXPIRE and one trim per key per round, not per member.
/// A reader counts the members whose expiry is after its own now (PresenceReader), so the clocks
/// of writers and readers must agree to well below the TTL (NTP). A new entry is written and a
/// released one removed (ZREM) by the background thread at once (not at the next heartbeat);
/// hold/release only touch memory and never block on Redis. Holds are counted: an entry stays
/// until it was released as often as held. When Redis is unreachable the round is retried at the
/// next heartbeat (the entries then expire on their own after the TTL). Thread-safe.
class PresenceHeartbeat {
 public:
  /// `host`/`port`/`credentials` of Redis (own connection; `timeout` bounds each round trip).
  PresenceHeartbeat(std::string host, int port, Credentials credentials, PresenceSettings settings,
                    WallClock clock = {},
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  /// stop().
  ~PresenceHeartbeat();
  PresenceHeartbeat(const PresenceHeartbeat&) = delete;
  PresenceHeartbeat& operator=(const PresenceHeartbeat&) = delete;

  /// Marks `member` present in `key` (both binary-safe, non-empty). Ignored after stop().
  void hold(const std::string& key, const std::string& member);
  /// Undoes one hold(); the last one removes the entry from Redis. Unknown entries are ignored.
  void release(const std::string& key, const std::string& member);

  /// Starts the background thread (one round at once, then at each heartbeat and on changes).
  void start();
  /// Stops the thread and removes every held entry from Redis (a graceful shutdown drops out at
  /// once; a crash drops out after the TTL). Idempotent.
  void stop();

  /// One round now on the calling thread: removals, then new entries, then, when `refresh_all`,
  /// every held entry. Returns false when Redis failed (the work is kept for the next round).
  bool beat(bool refresh_all);

  /// Entries held now.
  std::size_t held() const;
  /// Redis commands sent so far (all rounds; for tests and metrics).
  std::size_t commands_sent() const { return commands_sent_.load(std::memory_order_relaxed); }

 private:
  using Entry = std::pair<std::string, std::string>;  // key, member

  void run();
  /// Writes `removals` and `writes`; false on a Redis failure.
  bool write(const std::set<Entry>& removals, const std::set<Entry>& writes);

  BlockingClient client_;
  PresenceSettings settings_;
  WallClock clock_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<Entry, int> held_;   // entry -> holds
  std::set<Entry> unwritten_;   // held, not yet written
  std::set<Entry> gone_;        // released, not yet removed
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
  std::atomic<std::size_t> commands_sent_{0};
};

}  // namespace botfactory::redis
