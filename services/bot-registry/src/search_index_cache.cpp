#include "search_index_cache.hpp"

#include <exception>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "search_index_repository.hpp"

namespace botfactory::registry {
namespace {

constexpr std::size_t kMaxQueued = 64;
constexpr int kBackoffFactor = 4;  // next load of a bot >= 4 × its last load time later
constexpr auto kFailedRetry = std::chrono::seconds(1);
constexpr std::size_t kMaxRemembered = 4096;  // entries of too_large_ / retry_after_

/// The process-wide metrics of the search index cache.
struct CacheMetrics {
  metrics::Counter& hits;
  metrics::Counter& misses;
  metrics::Counter& loaded;
  metrics::Counter& too_large;
  metrics::Counter& failed;
  metrics::Counter& evictions;
  metrics::Gauge& bytes;
  metrics::Gauge& bots;
  metrics::Histogram& load_seconds;

  static CacheMetrics& get() {
    auto& m = metrics::Registry::global();
    static const char* kLookups = "botfactory_registry_search_cache_lookups_total";
    static const char* kLookupsHelp =
        "SearchKnowledge calls by where they were answered: hit (in-process index), miss (SQL)";
    static const char* kLoads = "botfactory_registry_search_cache_loads_total";
    static const char* kLoadsHelp = "In-process search index loads by result";
    static CacheMetrics metrics{
        m.counter(kLookups, kLookupsHelp, "result=\"hit\""),
        m.counter(kLookups, kLookupsHelp, "result=\"miss\""),
        m.counter(kLoads, kLoadsHelp, "result=\"loaded\""),
        m.counter(kLoads, kLoadsHelp, "result=\"too_large\""),
        m.counter(kLoads, kLoadsHelp, "result=\"failed\""),
        m.counter("botfactory_registry_search_cache_evictions_total",
                  "In-process search indexes dropped for the REGISTRY_SEARCH_CACHE_MB budget"),
        m.gauge("botfactory_registry_search_cache_bytes", "Bytes of the cached search indexes"),
        m.gauge("botfactory_registry_search_cache_bots", "Bots with a cached search index"),
        m.histogram("botfactory_registry_search_cache_load_seconds",
                    "Time to load one bot's search index from PostgreSQL",
                    metrics::latency_buckets())};
    return metrics;
  }
};

/// Forgets everything in `map` when it has grown past kMaxRemembered entries (its entries only
/// save work; losing them costs a load).
template <typename Map>
void bound(Map& map) {
  if (map.size() >= kMaxRemembered) map.clear();
}

}  // namespace

SearchIndexCache::SearchIndexCache(std::shared_ptr<pg::Pool> pool, std::size_t max_bytes)
    : pool_(std::move(pool)), max_bytes_(max_bytes) {
  CacheMetrics::get();
  loader_ = std::thread([this] { run(); });
}

SearchIndexCache::~SearchIndexCache() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  loader_.join();
}

std::shared_ptr<const BotSearchIndex> SearchIndexCache::find(const std::string& bot_id,
                                                             std::int64_t version) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(bot_id);
  if (it != entries_.end() && it->second.index->version() == version) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    ++stats_.hits;
    CacheMetrics::get().hits.inc();
    return it->second.index;
  }
  ++stats_.misses;
  CacheMetrics::get().misses.inc();
  schedule_locked(bot_id, version);
  return nullptr;
}

void SearchIndexCache::schedule_locked(const std::string& bot_id, std::int64_t version) {
  if (queued_.count(bot_id) || queue_.size() >= kMaxQueued) return;
  if (auto large = too_large_.find(bot_id); large != too_large_.end() && large->second == version) return;
  if (auto retry = retry_after_.find(bot_id); retry != retry_after_.end()) {
    if (Clock::now() < retry->second) return;
    retry_after_.erase(retry);
  }
  queue_.push_back(bot_id);
  queued_.insert(bot_id);
  wake_.notify_one();
}

void SearchIndexCache::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    std::string bot_id = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    load(bot_id);
    lock.lock();
    queued_.erase(bot_id);
    if (queued_.empty()) idle_.notify_all();
  }
}

std::shared_ptr<const BotSearchIndex> SearchIndexCache::load_now(const std::string& bot_id) {
  return load(bot_id);
}

std::shared_ptr<const BotSearchIndex> SearchIndexCache::load(const std::string& bot_id) {
  auto& metrics = CacheMetrics::get();
  auto started = Clock::now();
  std::optional<LoadedIndex> loaded;
  try {
    auto connection = pool_->acquire();
    loaded = SearchIndexRepository(*connection).load(bot_id, max_bytes_);
  } catch (const std::exception& e) {
    common::logger("registry")->warn("search index load failed bot={}: {}", bot_id, e.what());
    std::lock_guard lock(mutex_);
    ++stats_.failed;
    metrics.failed.inc();
    bound(retry_after_);
    retry_after_[bot_id] = Clock::now() + kFailedRetry;
    return nullptr;
  }
  auto took = Clock::now() - started;
  metrics.load_seconds.observe(std::chrono::duration<double>(took).count());

  std::lock_guard lock(mutex_);
  auto old = entries_.find(bot_id);
  if (old != entries_.end()) {  // stale (or the same version loaded again): replaced or dropped
    stats_.bytes -= old->second.index->bytes();
    lru_.erase(old->second.lru);
    entries_.erase(old);
  }
  bound(retry_after_);
  retry_after_[bot_id] = Clock::now() + kBackoffFactor * took;
  std::shared_ptr<const BotSearchIndex> index;
  if (!loaded) {
    // The bot is gone.
  } else if (!loaded->index) {
    ++stats_.too_large;
    metrics.too_large.inc();
    bound(too_large_);
    too_large_[bot_id] = loaded->version;
    common::logger("registry")->warn(
        "search index of bot={} is larger than REGISTRY_SEARCH_CACHE_MB ({} bytes): searched in SQL",
        bot_id, max_bytes_);
  } else {
    index = std::shared_ptr<const BotSearchIndex>(std::move(loaded->index));
    lru_.push_front(bot_id);
    entries_.emplace(bot_id, Entry{index, lru_.begin()});
    stats_.bytes += index->bytes();
    ++stats_.loads;
    metrics.loaded.inc();
    too_large_.erase(bot_id);
    evict_locked(bot_id);
    common::logger("registry")->debug(
        "search index loaded bot={} version={} chunks={} bytes={} ms={:.1f}", bot_id,
        index->version(), index->chunk_count(), index->bytes(),
        std::chrono::duration<double, std::milli>(took).count());
  }
  publish_locked();
  return index;
}

void SearchIndexCache::evict_locked(const std::string& keep) {
  while (stats_.bytes > max_bytes_ && !lru_.empty()) {
    const std::string& victim = lru_.back();
    if (victim == keep) break;  // the newest one alone fits (load() checked)
    auto it = entries_.find(victim);
    stats_.bytes -= it->second.index->bytes();
    entries_.erase(it);
    lru_.pop_back();
    ++stats_.evictions;
    CacheMetrics::get().evictions.inc();
  }
}

void SearchIndexCache::publish_locked() {
  stats_.bots = entries_.size();
  auto& metrics = CacheMetrics::get();
  metrics.bytes.set(static_cast<std::int64_t>(stats_.bytes));
  metrics.bots.set(static_cast<std::int64_t>(stats_.bots));
}

bool SearchIndexCache::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return queued_.empty(); });
}

SearchIndexCache::Stats SearchIndexCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace botfactory::registry
