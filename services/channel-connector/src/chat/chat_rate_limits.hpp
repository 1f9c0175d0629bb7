#pragma once
// Per-visitor message and per-bot reply rates, counted in Redis fixed windows so that every
// channel-connector replica shares them; fail open when Redis cannot count.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "botfactory/redis/window_counter.hpp"
#include "pipeline/pipeline_ports.hpp"

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

/// Counts hits per key in fixed windows (the seam for unit tests; redis::WindowCounter in
/// production).
class HitCounter {
 public:
  virtual ~HitCounter() = default;
  /// Counts one hit on `key` in a window of `window`; nullopt when the count is unknown.
  virtual std::optional<redis::WindowCount> hit(std::string_view key,
                                                std::chrono::milliseconds window) = 0;
};

/// HitCounter over redis::WindowCounter (INCR + PEXPIRE in one script).
class RedisHitCounter : public HitCounter {
 public:
  RedisHitCounter(const std::string& host, int port, std::chrono::milliseconds timeout,
                  const redis::Credentials& credentials);
  std::optional<redis::WindowCount> hit(std::string_view key,
                                        std::chrono::milliseconds window) override;

 private:
  redis::WindowCounter counter_;
};

/// The limits, per one-minute window. 0 = no limit.
struct ChatRateSettings {
  /// Visitor messages per conversation (VISITOR_MESSAGES_PER_MIN).
  std::int64_t visitor_messages_per_min = 10;
  /// Model replies per bot (BOT_REPLIES_PER_MIN).
  std::int64_t bot_replies_per_min = 30;
  /// Prepended to every Redis key (REDIS_KEY_PREFIX).
  std::string key_prefix = "bf:";
  /// Answer-feedback writes per conversation (FEEDBACK_WRITES_PER_MIN).
  std::int64_t feedback_writes_per_min = 30;
};

/// Keys: `<prefix>rl:visitor:<conversation id>`, `<prefix>rl:bot:<bot id>`,
/// `<prefix>rl:feedback:<conversation id>` and
/// `<prefix>rl:busy:<conversation id>` (the busy notice, once per window), each a fixed window
/// of 60 s. When Redis does not answer, the message or reply is let through (fail open: chat
/// must not stop with Redis) and chat_rate_limit_unavailable_total counts it. Thread-safe.
class ChatRateLimits : public ReplyRateGate {
 public:
  static constexpr std::chrono::milliseconds kWindow{60000};

  ChatRateLimits(HitCounter& counter, ChatRateSettings settings, metrics::Registry& registry);

  /// Counts one visitor message of `conversation_id`; over VISITOR_MESSAGES_PER_MIN throws
  /// rpc::StatusError RESOURCE_EXHAUSTED with a retry hint (the gateway's 429 /
  /// WebSocket error `rate_limited`) and a message naming the seconds to wait — unless
  /// `is_resent` (asked only then) says the message is already stored (a resent client_id,
  /// answered as a duplicate): then it returns and no refusal is counted.
  void admit_visitor_message(const std::string& conversation_id,
                             const std::function<bool()>& is_resent = {});

  /// Counts one answer-feedback write (rate, re-rate or clear) in `conversation_id`; over
  /// FEEDBACK_WRITES_PER_MIN throws rpc::StatusError RESOURCE_EXHAUSTED with a retry hint (the
  /// gateway's 429 rate_limited + Retry-After). docs/api.md "Answer feedback".
  void admit_feedback_write(const std::string& conversation_id);

  /// Over BOT_REPLIES_PER_MIN: kBusyNotice for the first message of a conversation in the
  /// window, kSilent afterwards; else kAllowed.
  Verdict admit_reply(const std::string& bot_id, const std::string& conversation_id) override;

 private:
  /// The count after one hit on `key`, or nullopt (Redis down: counted as unavailable).
  std::optional<redis::WindowCount> hit(const std::string& key);

  HitCounter& counter_;
  ChatRateSettings settings_;
  metrics::Counter& visitor_limited_;
  metrics::Counter& bot_limited_;
  metrics::Counter& feedback_limited_;
  metrics::Counter& unavailable_;
};

}  // namespace botfactory::channel
