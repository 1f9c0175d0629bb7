#include "channels/send_rate_limiter.hpp"

#include <algorithm>

namespace botfactory::channel {
namespace {

using std::chrono::microseconds;

/// `nominal` µs stretched by the safety margin, rounded up.
microseconds with_margin(std::int64_t nominal_us) {
  return microseconds((nominal_us * (100 + kSendSpacingMarginPercent) + 99) / 100);
}

}  // namespace

SendRateLimiter::SendRateLimiter(SendRates rates, std::size_t max_keys) : max_keys_(max_keys) {
  if (rates.per_bot_per_second > 0) {
    // ceil(1 s / limit) before the margin: never shorter than the nominal spacing.
    bot_spacing_ = with_margin((1000000 + rates.per_bot_per_second - 1) / rates.per_bot_per_second);
  }
  if (rates.per_chat_interval.count() > 0) {
    chat_spacing_ = with_margin(std::chrono::duration_cast<microseconds>(rates.per_chat_interval).count());
  }
}

std::chrono::milliseconds SendRateLimiter::reserve(const std::string& bot, const std::string& chat,
                                                   Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Clock::duration wait{0};
  const std::string chat_key = bot + '\n' + chat;
  auto chat_it = chat_spacing_.count() > 0 ? chat_last_.find(chat_key) : chat_last_.end();
  if (chat_it != chat_last_.end() && now < chat_it->second + chat_spacing_) {
    wait = std::max(wait, chat_it->second + chat_spacing_ - now);
  }
  auto bot_it = bot_spacing_.count() > 0 ? bot_last_.find(bot) : bot_last_.end();
  if (bot_it != bot_last_.end() && now < bot_it->second + bot_spacing_) {
    wait = std::max(wait, bot_it->second + bot_spacing_ - now);
  }
  if (wait.count() > 0) {
    return std::max(std::chrono::ceil<std::chrono::milliseconds>(wait), std::chrono::milliseconds(1));
  }
  book(bot, chat_key, now);
  return std::chrono::milliseconds(0);
}

void SendRateLimiter::note_sent(const std::string& bot, const std::string& chat, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  book(bot, bot + '\n' + chat, now);
}

void SendRateLimiter::sent(const std::string& bot, const std::string& chat, Clock::time_point now) {
  if (chat_spacing_.count() == 0) return;
  std::lock_guard lock(mutex_);
  auto& last = chat_last_[bot + '\n' + chat];
  last = std::max(last, now);
}

void SendRateLimiter::book(const std::string& bot, const std::string& chat_key, Clock::time_point now) {
  if (bot_spacing_.count() > 0) bot_last_[bot] = now;
  if (chat_spacing_.count() > 0) chat_last_[chat_key] = now;
  if (chat_last_.size() > max_keys_ || bot_last_.size() > max_keys_) prune(now);
}

void SendRateLimiter::prune(Clock::time_point now) {
  // An entry older than its spacing no longer delays anything; 2 s keeps the recent ones.
  const Clock::duration chat_idle = std::max<Clock::duration>(chat_spacing_, std::chrono::seconds(2));
  const Clock::duration bot_idle = std::max<Clock::duration>(bot_spacing_, std::chrono::seconds(2));
  std::erase_if(chat_last_, [&](const auto& entry) { return entry.second + chat_idle < now; });
  std::erase_if(bot_last_, [&](const auto& entry) { return entry.second + bot_idle < now; });
}

}  // namespace botfactory::channel
