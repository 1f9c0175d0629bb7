#include "botfactory/redis/presence_heartbeat.hpp"

#include <atomic>
#include <vector>

#include <hiredis/hiredis.h>

#include "botfactory/common/logging.hpp"

namespace botfactory::redis {
namespace {

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// After a change, the thread waits this long for more before writing, so a burst of joins
// goes out in one pipelined round.
constexpr std::chrono::milliseconds kChangeBatching{20};

}  // namespace

PresenceHeartbeat::PresenceHeartbeat(std::string host, int port, Credentials credentials,
                                     PresenceSettings settings, WallClock clock,
                                     std::chrono::milliseconds timeout)
    : client_(std::move(host), port, timeout, std::move(credentials)),
      settings_(settings),
      clock_(clock ? std::move(clock) : WallClock([] { return std::chrono::system_clock::now(); })) {
  if (settings_.batch == 0) settings_.batch = 1;
}

PresenceHeartbeat::~PresenceHeartbeat() { stop(); }

void PresenceHeartbeat::hold(const std::string& key, const std::string& member) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  Entry entry{key, member};
  if (++held_[entry] == 1) {
    gone_.erase(entry);
    unwritten_.insert(std::move(entry));
    changed_.notify_one();
  }
}

void PresenceHeartbeat::release(const std::string& key, const std::string& member) {
  std::lock_guard lock(mutex_);
  Entry entry{key, member};
  auto it = held_.find(entry);
  if (it == held_.end()) return;
  if (--it->second > 0) return;
  held_.erase(it);
  unwritten_.erase(entry);
  gone_.insert(std::move(entry));
  changed_.notify_one();
}

std::size_t PresenceHeartbeat::held() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

bool PresenceHeartbeat::beat(bool refresh_all) {
  std::set<Entry> removals, writes;
  {
    std::lock_guard lock(mutex_);
    removals.swap(gone_);
    if (refresh_all) {
      unwritten_.clear();
      for (const auto& [entry, holds] : held_) writes.insert(entry);
    } else {
      writes.swap(unwritten_);
    }
  }
  if (write(removals, writes)) return true;
  // Keep what is still wanted for the next round.
  std::lock_guard lock(mutex_);
  for (auto& entry : removals) {
    if (!held_.count(entry)) gone_.insert(entry);
  }
  for (auto& entry : writes) {
    if (held_.count(entry)) unwritten_.insert(entry);
  }
  return false;
}

bool PresenceHeartbeat::write(const std::set<Entry>& removals, const std::set<Entry>& writes) {
  const auto now = epoch_ms(clock_());
  const std::string expiry = std::to_string(now + settings_.ttl.count());
  const std::string ttl = std::to_string(settings_.ttl.count());
  const std::string past = std::to_string(now);
  std::vector<std::vector<std::string>> commands;
  std::size_t entries = 0;  // entries in `commands`
  auto flush = [&] {
    if (commands.empty()) return true;
    auto replies = client_.pipeline(commands);
    bool ok = replies.size() == commands.size();
    commands_sent_.fetch_add(commands.size(), std::memory_order_relaxed);
    commands.clear();
    entries = 0;
    return ok;
  };
  // The sets are ordered by key, so each key's entries are adjacent: one ZREM / ZADD per key (at
  // most `batch` members each), and for written keys one PEXPIRE and one ZREMRANGEBYSCORE per
  // key per round, not per member.
  // `close(key, last)` ends a key's part of a round (`last`: its final part).
  auto each_key = [&](const std::set<Entry>& set, const char* verb, auto&& add, auto&& close) {
    for (auto it = set.begin(); it != set.end();) {
      const std::string& key = it->first;
      std::size_t at = commands.size();
      commands.push_back({verb, key});
      for (; it != set.end() && it->first == key; ++it) {
        if (entries >= settings_.batch) {
          // The round trip is full: send it, go on with this key in the next one.
          if (commands[at].size() == 2) {
            commands.pop_back();
          } else {
            close(key, false);
          }
          if (!flush()) return false;
          at = commands.size();
          commands.push_back({verb, key});
        }
        add(commands[at], it->second);
        ++entries;
      }
      close(key, true);
    }
    return true;
  };
  if (!each_key(
          removals, "ZREM",
          [](std::vector<std::string>& c, const std::string& member) { c.push_back(member); },
          [](const std::string&, bool) {})) {
    return false;
  }
  if (!each_key(
          writes, "ZADD",
          [&](std::vector<std::string>& c, const std::string& member) {
            c.push_back(expiry);
            c.push_back(member);
          },
          [&](const std::string& key, bool last) {
            // A key split over rounds gets its TTL in each (a crash between rounds leaves no
            // key without one); the trim once, with its last part.
            commands.push_back({"PEXPIRE", key, ttl});
            if (last) commands.push_back({"ZREMRANGEBYSCORE", key, "-inf", past});
          })) {
    return false;
  }
  return flush();
}

void PresenceHeartbeat::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopped_) return;
  thread_ = std::thread([this] { run(); });
}

void PresenceHeartbeat::run() {
  auto log = common::logger("presence");
  auto next_refresh = std::chrono::steady_clock::now();
  bool failing = false;
  for (;;) {
    bool refresh_all = false;
    {
      std::unique_lock lock(mutex_);
      changed_.wait_until(lock, next_refresh, [&] {
        return stopping_ || !unwritten_.empty() || !gone_.empty();
      });
      if (stopping_) return;
      refresh_all = std::chrono::steady_clock::now() >= next_refresh;
      if (!refresh_all) {
        // A change: let a burst gather (bounded delay), then write it in one round.
        changed_.wait_for(lock, kChangeBatching, [&] { return stopping_; });
        if (stopping_) return;
      }
    }
    if (refresh_all) next_refresh = std::chrono::steady_clock::now() + settings_.heartbeat;
    bool ok = beat(refresh_all);
    if (!ok && !failing) log->warn("writing presence to Redis failed; retrying at the heartbeat");
    if (ok && failing) log->info("presence written to Redis again");
    failing = !ok;
    if (!ok) {
      // Do not spin on a Redis outage: the next try is at the next heartbeat.
      std::unique_lock lock(mutex_);
      changed_.wait_until(lock, next_refresh, [&] { return stopping_; });
      if (stopping_) return;
    }
  }
}

void PresenceHeartbeat::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::set<Entry> removals;
  {
    std::lock_guard lock(mutex_);
    removals.swap(gone_);
    for (const auto& [entry, holds] : held_) removals.insert(entry);
    held_.clear();
    unwritten_.clear();
  }
  if (!removals.empty()) write(removals, {});
}

}  // namespace botfactory::redis
