#pragma once
// Leases of a channel-connector replica kept alive while it works: the ids of inbox and outbox
// rows this replica holds, and the heartbeat thread that renews their leases in PostgreSQL every
// CHANNEL_LEASE_RENEW_MS. A killed replica renews nothing: its rows are free again within one
// CHANNEL_LEASE_MS, and another replica's next claim takes them (docs/architecture.md,
// "Scale-out").

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace botfactory::channel {

/// The lease settings shared by the inbox, the outbox and the Telegram poller.
struct LeaseSettings {
  /// How long a claimed row (or a polled channel) stays this replica's without a renewal
  /// (CHANNEL_LEASE_MS): the bound on how long a killed replica's work waits.
  std::chrono::milliseconds lease{10000};
  /// How often the heartbeat renews (CHANNEL_LEASE_RENEW_MS); below lease / 2.
  std::chrono::milliseconds renew_every{3000};
};

/// A thread-safe set of row ids (bounded by the claims that fill it).
class HeldIds {
 public:
  void add(std::int64_t id);
  void remove(std::int64_t id);
  std::vector<std::int64_t> snapshot() const;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::set<std::int64_t> ids_;
};

/// One thread calling each task every `every` until stop(). A task that throws is logged; the
/// others still run. Thread-safe start/stop.
class LeaseHeartbeat {
 public:
  LeaseHeartbeat(std::chrono::milliseconds every, std::vector<std::function<void()>> tasks);
  ~LeaseHeartbeat();
  LeaseHeartbeat(const LeaseHeartbeat&) = delete;
  LeaseHeartbeat& operator=(const LeaseHeartbeat&) = delete;

  void start();
  /// Stops and joins (idempotent).
  void stop();
  /// Runs every task once on the caller's thread (tests).
  void beat();

 private:
  void loop();

  std::chrono::milliseconds every_;
  std::vector<std::function<void()>> tasks_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace botfactory::channel
