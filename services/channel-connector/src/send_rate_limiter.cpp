#include "send_rate_limiter.hpp"

#include <algorithm>

namespace botfactory::channel {

SendRateLimiter::SendRateLimiter(SendRates rates, std::size_t max_keys)
    : rates_(rates), max_keys_(max_keys) {}

std::chrono::milliseconds SendRateLimiter::reserve(const std::string& bot, const std::string& chat,
                                                   Clock::time_point now) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::lock_guard lock(mutex_);
  milliseconds wait{0};
  const std::string chat_key = bot + '\n' + chat;
  if (rates_.per_chat_interval.count() > 0) {
    auto it = chat_last_.find(chat_key);
    if (it != chat_last_.end() && now < it->second + rates_.per_chat_interval) {
      wait = std::max(wait, duration_cast<milliseconds>(it->second + rates_.per_chat_interval - now));
    }
  }
  auto& sends = bot_sends_[bot];
  while (!sends.empty() && sends.front() + std::chrono::seconds(1) <= now) sends.pop_front();
  if (rates_.per_bot_per_second > 0 &&
      sends.size() >= static_cast<std::size_t>(rates_.per_bot_per_second)) {
    wait = std::max(wait, duration_cast<milliseconds>(sends.front() + std::chrono::seconds(1) - now));
  }
  if (wait.count() > 0) return std::max(wait, milliseconds(1));
  sends.push_back(now);
  chat_last_[chat_key] = now;
  if (chat_last_.size() > max_keys_ || bot_sends_.size() > max_keys_) prune(now);
  return milliseconds(0);
}

void SendRateLimiter::prune(Clock::time_point now) {
  const auto idle = std::chrono::seconds(2);
  std::erase_if(chat_last_, [&](const auto& entry) { return entry.second + idle < now; });
  std::erase_if(bot_sends_, [&](const auto& entry) {
    return entry.second.empty() || entry.second.back() + idle < now;
  });
}

}  // namespace botfactory::channel
