#pragma once
// Outbound send rates of one replica, per bot and per chat, within Telegram's published limits:
// "no more than one message per second" in a chat and "about 30 messages per second" per bot
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace botfactory::channel {

/// Limits of SendRateLimiter; 0 disables a limit.
struct SendRates {
  int per_bot_per_second = 30;                        // TELEGRAM_BOT_MESSAGES_PER_SEC
  std::chrono::milliseconds per_chat_interval{1000};  // TELEGRAM_CHAT_INTERVAL_MS
};

/// Thread-safe. Memory is bounded: entries idle for over 2 s are pruned once the maps hold more
/// than `max_keys` keys each.
class SendRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SendRateLimiter(SendRates rates, std::size_t max_keys = 100000);

  /// How long to wait before one message may go to `chat` of `bot`; zero = it may go now, and
  /// the send is counted (a caller that got zero must send).
  std::chrono::milliseconds reserve(const std::string& bot, const std::string& chat,
                                    Clock::time_point now = Clock::now());

 private:
  void prune(Clock::time_point now);

  SendRates rates_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> bot_sends_;  // last second
  std::unordered_map<std::string, Clock::time_point> chat_last_;
};

}  // namespace botfactory::channel
