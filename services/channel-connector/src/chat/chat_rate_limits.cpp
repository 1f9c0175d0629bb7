#include "chat/chat_rate_limits.hpp"

#include <algorithm>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kLimitedMetric = "chat_rate_limited_total";
constexpr const char* kLimitedHelp = "Visitor messages or answer ratings refused, or bot replies skipped, by a rate";

std::int64_t seconds_left(const redis::WindowCount& count) {
  return std::max<std::int64_t>(1, (count.resets_in.count() + 999) / 1000);
}

}  // namespace

RedisHitCounter::RedisHitCounter(const std::string& host, int port,
                                 std::chrono::milliseconds timeout,
                                 const redis::Credentials& credentials)
    : counter_(host, port, timeout, credentials) {}

std::optional<redis::WindowCount> RedisHitCounter::hit(std::string_view key,
                                                       std::chrono::milliseconds window) {
  return counter_.hit(key, window);
}

ChatRateLimits::ChatRateLimits(HitCounter& counter, ChatRateSettings settings,
                               metrics::Registry& registry)
    : counter_(counter),
      settings_(std::move(settings)),
      visitor_limited_(registry.counter(kLimitedMetric, kLimitedHelp, R"(rate="visitor")")),
      bot_limited_(registry.counter(kLimitedMetric, kLimitedHelp, R"(rate="bot")")),
      feedback_limited_(registry.counter(kLimitedMetric, kLimitedHelp, R"(rate="feedback")")),
      unavailable_(registry.counter("chat_rate_limit_unavailable_total",
                                    "Messages or replies let through because Redis could not "
                                    "count them")) {}

std::optional<redis::WindowCount> ChatRateLimits::hit(const std::string& key) {
  auto count = counter_.hit(key, kWindow);
  if (!count) unavailable_.inc();
  return count;
}

void ChatRateLimits::admit_visitor_message(const std::string& conversation_id,
                                           const std::function<bool()>& is_resent) {
  if (settings_.visitor_messages_per_min <= 0) return;
  auto count = hit(settings_.key_prefix + "rl:visitor:" + conversation_id);
  if (!count || count->count <= settings_.visitor_messages_per_min) return;
  if (is_resent && is_resent()) return;
  visitor_limited_.inc();
  auto retry_s = static_cast<int>(seconds_left(*count));
  rpc::throw_rate_limited("too many messages in this conversation (at most " +
                              std::to_string(settings_.visitor_messages_per_min) +
                              " a minute), retry in " + std::to_string(retry_s) + " s",
                          retry_s);
}

void ChatRateLimits::admit_feedback_write(const std::string& conversation_id) {
  if (settings_.feedback_writes_per_min <= 0) return;
  auto count = hit(settings_.key_prefix + "rl:feedback:" + conversation_id);
  if (!count || count->count <= settings_.feedback_writes_per_min) return;
  feedback_limited_.inc();
  auto retry_s = static_cast<int>(seconds_left(*count));
  rpc::throw_rate_limited("too many ratings in this conversation (at most " +
                              std::to_string(settings_.feedback_writes_per_min) +
                              " a minute), retry in " + std::to_string(retry_s) + " s",
                          retry_s);
}

ReplyRateGate::Verdict ChatRateLimits::admit_reply(const std::string& bot_id,
                                                   const std::string& conversation_id) {
  if (settings_.bot_replies_per_min <= 0) return Verdict::kAllowed;
  auto count = hit(settings_.key_prefix + "rl:bot:" + bot_id);
  if (!count || count->count <= settings_.bot_replies_per_min) return Verdict::kAllowed;
  bot_limited_.inc();
  if (count->count == settings_.bot_replies_per_min + 1) {
    common::logger("pipeline")
        ->warn("bot {}: over {} replies a minute; replies paused for {} s", bot_id,
               settings_.bot_replies_per_min, seconds_left(*count));
  }
  auto notice = hit(settings_.key_prefix + "rl:busy:" + conversation_id);
  // Redis failed between the two calls: say busy rather than stay silent.
  if (!notice || notice->count == 1) return Verdict::kBusyNotice;
  return Verdict::kSilent;
}

}  // namespace botfactory::channel
