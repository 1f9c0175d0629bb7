#pragma once
// Outbound send rates of one replica, per bot and per chat, within Telegram's published limits:
// "no more than one message per second" in a chat and "about 30 messages per second" per bot
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace botfactory::channel {

/// Limits of SendRateLimiter; 0 disables a limit.
struct SendRates {
  int per_bot_per_second = 30;                        // TELEGRAM_BOT_MESSAGES_PER_SEC
  std::chrono::milliseconds per_chat_interval{1000};  // TELEGRAM_CHAT_INTERVAL_MS
};

/// Safety margin of SendRateLimiter's spacing, in percent of the nominal interval: sends reach
/// the far side with a few ms of jitter (HTTP client event thread, network), so spacing them at
/// exactly 1000/limit ms would let the far side count one over the limit in some 1 s window.
/// 5 % tolerates 50 ms of jitter between the first and the last send of a window.
inline constexpr int kSendSpacingMarginPercent = 5;

/// Where the outbox books its sends (SendRateLimiter: this replica; SharedSendRateLimiter: all
/// replicas through Redis).
class SendRateGate {
 public:
  virtual ~SendRateGate() = default;
  /// How long to wait (ms, rounded up, ≥ 1) before one message may go to `chat` of `bot`; zero
  /// = it may go now and the send is booked — call it right before handing the request to the
  /// HTTP client, and a caller that got zero must send.
  virtual std::chrono::milliseconds reserve(const std::string& bot, const std::string& chat) = 0;
  /// The send booked by reserve() finished (whatever its answer): the chat's spacing counts from
  /// now, so a send delayed after its booking (busy machine, slow network) cannot arrive closer
  /// than the interval to the next one. One chat's sends are sequential (the outbox's per-chat
  /// order), so this costs its rate nothing beyond the send's own duration.
  virtual void sent(const std::string& bot, const std::string& chat) = 0;
};

/// A spacing limiter (not a window count, which lets `limit` sends go at once and `limit` more
/// right after the window turns): two sends of one bot are at least 1000/per_bot_per_second ms
/// apart, two sends to one chat at least per_chat_interval, both plus kSendSpacingMarginPercent.
/// So no 1 s window holds more than the limit even when sends are delayed unevenly after the
/// booking. Thread-safe. Memory is bounded: entries idle for longer than their interval (at
/// least 2 s) are pruned once the maps hold more than `max_keys` keys each.
class SendRateLimiter : public SendRateGate {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SendRateLimiter(SendRates rates, std::size_t max_keys = 100000);

  /// How long to wait (ms, rounded up) before one message may go to `chat` of `bot`; zero = it
  /// may go now and the send is booked at `now` — call it right before handing the request to
  /// the HTTP client, and a caller that got zero must send.
  std::chrono::milliseconds reserve(const std::string& bot, const std::string& chat,
                                    Clock::time_point now);
  std::chrono::milliseconds reserve(const std::string& bot, const std::string& chat) override {
    return reserve(bot, chat, Clock::now());
  }
  /// Records a send booked elsewhere (the shared limiter) at `now`, so that falling back to this
  /// limiter keeps the spacing of this replica's recent sends.
  void note_sent(const std::string& bot, const std::string& chat, Clock::time_point now = Clock::now());
  void sent(const std::string& bot, const std::string& chat) override { sent(bot, chat, Clock::now()); }
  /// sent() at `now`: the chat's last send moves to `now` when that is later.
  void sent(const std::string& bot, const std::string& chat, Clock::time_point now);

  /// The enforced spacing between two sends of one bot (µs; 0 = no limit).
  std::chrono::microseconds bot_spacing() const { return bot_spacing_; }
  /// The enforced spacing between two sends to one chat (µs; 0 = no limit).
  std::chrono::microseconds chat_spacing() const { return chat_spacing_; }

 private:
  void prune(Clock::time_point now);
  void book(const std::string& bot, const std::string& chat_key, Clock::time_point now);

  std::chrono::microseconds bot_spacing_{0};
  std::chrono::microseconds chat_spacing_{0};
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> bot_last_;   // last booked send per bot
  std::unordered_map<std::string, Clock::time_point> chat_last_;  // per bot + '\n' + chat
};

}  // namespace botfactory::channel
