#include "channels/channel_core_cache.hpp"

#include <algorithm>

namespace botfactory::channel {

ChannelCoreCache::ChannelCoreCache(std::chrono::milliseconds ttl, std::size_t max_entries, Clock clock)
    : ttl_(ttl), max_entries_(std::max<std::size_t>(max_entries, 1)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

std::optional<ChannelRecord> ChannelCoreCache::get(const std::string& channel_id, const Loader& load) {
  if (ttl_.count() <= 0) return load();
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(channel_id);
    if (it != entries_.end()) {
      if (clock_() < it->second.expires) return it->second.record;
      entries_.erase(it);
    }
    generation = generation_;
  }
  auto loaded = load();
  if (!loaded) return loaded;
  auto now = clock_();
  std::lock_guard lock(mutex_);
  if (generation != generation_) return loaded;  // invalidated meanwhile: may be stale, not kept
  if (entries_.size() >= max_entries_ && !entries_.count(channel_id)) {
    std::erase_if(entries_, [&](const auto& entry) { return entry.second.expires <= now; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[channel_id] = Entry{*loaded, now + ttl_};
  return loaded;
}

void ChannelCoreCache::invalidate(const std::string& channel_id) {
  std::lock_guard lock(mutex_);
  entries_.erase(channel_id);
  ++generation_;
}

std::size_t ChannelCoreCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace botfactory::channel
