#pragma once
// Bots' in-process search indexes (BotSearchIndex), least recently used first out under a byte
// budget, loaded from PostgreSQL on a background thread (docs/architecture.md "In-process
// search index"). Correct with any number of bot-registry replicas: every search reads the
// bot's knowledge version (registry.bots.knowledge_version, V008, bumped by a trigger in the
// transaction of every chunk change) and an index is used only at exactly that version.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "botfactory/pg/pool.hpp"
#include "search_index.hpp"

namespace botfactory::registry {

/// Thread-safe. Loads run one at a time on the cache's own thread with a connection of `pool`;
/// a search that finds no index at its version is answered in SQL meanwhile (a "miss").
class SearchIndexCache {
 public:
  /// Counters since construction (the same figures go to /metrics, see the .cpp).
  struct Stats {
    std::uint64_t hits = 0;         // searches answered from an index
    std::uint64_t misses = 0;       // searches answered in SQL (no index at that version)
    std::uint64_t loads = 0;        // indexes loaded
    std::uint64_t too_large = 0;    // loads stopped: the bot's index alone passes the budget
    std::uint64_t failed = 0;       // loads that raised an error (logged)
    std::uint64_t evictions = 0;    // indexes dropped for the budget
    std::uint64_t bytes = 0;        // bytes of the cached indexes now
    std::uint64_t bots = 0;         // bots cached now
  };

  /// `max_bytes` (> 0): the budget of all cached indexes together (REGISTRY_SEARCH_CACHE_MB);
  /// a bot whose index alone is larger is never cached (searched in SQL). A load may hold up to
  /// one more budget while it runs. Starts the loader thread.
  SearchIndexCache(std::shared_ptr<pg::Pool> pool, std::size_t max_bytes);
  /// Stops the loader thread (after the load it runs, if any).
  ~SearchIndexCache();
  SearchIndexCache(const SearchIndexCache&) = delete;
  SearchIndexCache& operator=(const SearchIndexCache&) = delete;

  /// The bot's index at knowledge version `version`, or null. On null a load is queued unless
  /// one is queued or running for the bot, the bot's index was too large at this version, the
  /// bot was loaded or failed to load less than 4 × its last load time ago (a bot that changes
  /// often is not reloaded back to back), or 64 loads already wait.
  std::shared_ptr<const BotSearchIndex> find(const std::string& bot_id, std::int64_t version);
  /// Loads the bot's index now, on the calling thread, and caches it (benchmarks, warm-up).
  /// Null when the bot is gone or its index passes the budget. Throws pg::Error.
  std::shared_ptr<const BotSearchIndex> load_now(const std::string& bot_id);
  /// Waits until no load is queued or running, at most `timeout`; false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout);
  Stats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::shared_ptr<const BotSearchIndex> index;
    std::list<std::string>::iterator lru;
  };

  void run();
  /// Loads one bot on this thread; returns the index cached (or null).
  std::shared_ptr<const BotSearchIndex> load(const std::string& bot_id);
  void schedule_locked(const std::string& bot_id, std::int64_t version);
  void evict_locked(const std::string& keep);
  void publish_locked();

  std::shared_ptr<pg::Pool> pool_;
  const std::size_t max_bytes_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, std::int64_t> too_large_;           // bot -> version
  std::unordered_map<std::string, Clock::time_point> retry_after_;    // bot -> next load
  std::deque<std::string> queue_;
  std::unordered_set<std::string> queued_;  // queued or running
  Stats stats_;
  bool stop_ = false;
  std::thread loader_;
};

}  // namespace botfactory::registry
