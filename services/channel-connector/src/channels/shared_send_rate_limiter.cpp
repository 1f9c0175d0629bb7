#include "channels/shared_send_rate_limiter.hpp"

#include <algorithm>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"

namespace botfactory::channel {

SharedSendRateLimiter::SharedSendRateLimiter(std::unique_ptr<redis::SpacedSlots> slots,
                                             SendRates rates, std::string key_prefix,
                                             metrics::Registry& registry, NowUs now_us)
    : slots_(std::move(slots)),
      local_(rates),
      prefix_(std::move(key_prefix)),
      now_us_(std::move(now_us)),
      local_fallbacks_(registry.counter(
          "channel_send_rate_local_total",
          "Channel sends booked on this replica's own rate limiter because Redis did not answer")) {}

SharedSendRateLimiter::Booking SharedSendRateLimiter::book(const std::string& bot,
                                                          const std::string& chat) {
  std::vector<redis::SpacedKey> keys;
  if (local_.bot_spacing().count() > 0) keys.push_back({prefix_ + "send:bot:" + bot, local_.bot_spacing()});
  if (local_.chat_spacing().count() > 0) {
    keys.push_back({prefix_ + "send:chat:" + bot + ":" + chat, local_.chat_spacing()});
  }
  if (keys.empty()) return Booking{};
  auto slot = slots_->reserve(keys, now_us_ ? now_us_() : 0);
  if (!slot) {
    local_fallbacks_.inc();
    if (!degraded_.exchange(true)) {
      common::logger("outbox")->warn("send rates: Redis does not answer; limits held per replica until it does");
    }
    return Booking{local_.reserve(bot, chat), 0, false};
  }
  if (degraded_.exchange(false)) common::logger("outbox")->info("send rates: shared through Redis again");
  if (slot->wait.count() > 0) {
    return Booking{std::max(std::chrono::ceil<std::chrono::milliseconds>(slot->wait),
                            std::chrono::milliseconds(1)),
                   0, true};
  }
  local_.note_sent(bot, chat);
  return Booking{std::chrono::milliseconds(0), slot->at_us, true};
}

void SharedSendRateLimiter::sent(const std::string& bot, const std::string& chat) {
  if (local_.chat_spacing().count() == 0) return;
  local_.sent(bot, chat);
  // A failure only loses the extra safety: the booking already holds the nominal spacing.
  slots_->touch({prefix_ + "send:chat:" + bot + ":" + chat, local_.chat_spacing()},
                now_us_ ? now_us_() : 0);
}

}  // namespace botfactory::channel
