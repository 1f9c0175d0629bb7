#pragma once
// A bounded, short-lived cache of channels' core rows (chat.channels without the outbox counts)
// for the hot paths that read the same channel for every update: the webhook (secret check),
// the inbox (tenant, bot, kind) and the outbox (credentials). At hundreds of updates a second
// to one bot that was one primary-key statement per update and stage (docs/benchmarks.md,
// "Telegram channel", 2026-11-30 chanperf).

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "channels/channel_repository.hpp"

namespace botfactory::channel {

/// Thread-safe. A found channel is kept for `ttl` (CHANNEL_CACHE_TTL_MS; 0 = no cache: every get
/// loads) and at most `max_entries` channels are kept (CHANNEL_CACHE_MAX_ENTRIES; when full the
/// expired ones go, and if none has expired everything goes). A channel that was not found is
/// not kept (a new channel is seen at once). Changes made through this replica invalidate
/// their channel at once (ChannelRepository); another replica's change is seen within `ttl`.
class ChannelCoreCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Loader = std::function<std::optional<ChannelRecord>()>;

  ChannelCoreCache(std::chrono::milliseconds ttl, std::size_t max_entries, Clock clock = {});

  /// The cached row of `channel_id`, else `load()` (outside the lock; its exceptions pass
  /// through, nothing is kept) and keeps a found row.
  std::optional<ChannelRecord> get(const std::string& channel_id, const Loader& load);
  /// Forgets `channel_id` (it changed or went).
  void invalidate(const std::string& channel_id);
  /// Channels kept now (tests).
  std::size_t size() const;

 private:
  struct Entry {
    ChannelRecord record;
    std::chrono::steady_clock::time_point expires;
  };
  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // guarded
  std::uint64_t generation_ = 0;  // bumped by invalidate: a load that raced it is not kept
};

}  // namespace botfactory::channel
