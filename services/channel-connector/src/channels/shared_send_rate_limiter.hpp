#pragma once
// Telegram's per-bot and per-chat send rates held across every channel-connector replica: the
// spacing of SendRateLimiter, booked in Redis (redis::SpacedSlots), with this replica's own
// SendRateLimiter as the fallback when Redis does not answer.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "botfactory/redis/spaced_slots.hpp"
#include "channels/send_rate_limiter.hpp"

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

/// Books every send in Redis under `<prefix>send:bot:<bot>` and `<prefix>send:chat:<bot>:<chat>`
/// with the spacing of SendRateLimiter (1000/per_bot_per_second ms per bot, per_chat_interval
/// per chat, both + kSendSpacingMarginPercent), atomically for both keys, on Redis' clock — so
/// two replicas never send to one bot closer than the bot spacing, or to one chat closer than the
/// chat spacing (Telegram: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
/// Fail-local: when Redis cannot be reached (timeout, error), the send is booked on this
/// replica's SendRateLimiter instead and channel_send_rate_local_total counts it; each replica
/// then holds the limits for its own sends only (N replicas: up to N× the per-bot rate, and two
/// replicas may each send to one chat within the interval) until Redis answers again. Every
/// send booked in Redis is also noted locally, so a fallback starts from this replica's recent
/// sends. Thread-safe.
class SharedSendRateLimiter : public SendRateGate {
 public:
  /// µs on a clock shared by every instance; 0 = ask Redis' TIME (production).
  using NowUs = std::function<std::int64_t()>;

  SharedSendRateLimiter(std::unique_ptr<redis::SpacedSlots> slots, SendRates rates,
                        std::string key_prefix, metrics::Registry& registry, NowUs now_us = {});

  /// The outcome of book(): wait zero = booked at at_us (Redis' or the injected clock, µs) when
  /// `shared`, or on the local limiter when not.
  struct Booking {
    std::chrono::milliseconds wait{0};
    std::int64_t at_us = 0;
    bool shared = true;
  };
  /// reserve() with the details: the granted slot's time (for tests and logs).
  Booking book(const std::string& bot, const std::string& chat);

  std::chrono::milliseconds reserve(const std::string& bot, const std::string& chat) override {
    return book(bot, chat).wait;
  }
  /// Moves the chat's key in Redis (and locally) to now — Redis' TIME, or the injected clock.
  void sent(const std::string& bot, const std::string& chat) override;

 private:
  std::unique_ptr<redis::SpacedSlots> slots_;
  SendRateLimiter local_;
  std::string prefix_;
  NowUs now_us_;
  metrics::Counter& local_fallbacks_;
  std::atomic<bool> degraded_{false};
};

}  // namespace botfactory::channel
