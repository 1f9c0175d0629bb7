#include "chat/message_feedback.hpp"

#include <tuple>

#include "botfactory/common/ids.hpp"
#include "botfactory/common/text.hpp"
#include "chat/chat_rate_limits.hpp"

namespace botfactory::channel {
namespace {

void require_uuid(const std::string& value, const char* name) {
  if (!common::is_uuid(value)) throw FeedbackInvalid(std::string(name) + " must be a UUID");
}

/// `text` cut to `max` code points, with "…" when something was cut.
std::string shortened(const std::string& text, std::size_t max) {
  auto cut = common::utf8_offset(text, max);
  if (cut >= text.size()) return text;
  return text.substr(0, common::utf8_offset(text, max - 1)) + "\u2026";
}

}  // namespace

MessageFeedbackService::MessageFeedbackService(MessageFeedbackRepository& repository,
                                               ChatRateLimits* rates)
    : repository_(repository), rates_(rates) {}

FeedbackRow MessageFeedbackService::set(const std::string& tenant_id,
                                        const std::string& conversation_id, std::int64_t seq,
                                        const std::string& rating, std::string_view comment) {
  require_uuid(tenant_id, "tenant_id");
  require_uuid(conversation_id, "conversation_id");
  if (seq < 1) throw FeedbackInvalid("seq must be >= 1");
  if (!rating.empty() && rating != "up" && rating != "down") {
    throw FeedbackInvalid("rating must be \"up\", \"down\" or cleared");
  }
  std::string text;
  if (!rating.empty()) {
    if (!common::is_valid_utf8(comment)) throw FeedbackInvalid("comment must be UTF-8");
    auto trimmed = common::trim(comment);
    for (char c : trimmed) {
      if (c == '\t' || c == '\n' || c == '\r') {
        throw FeedbackInvalid("comment must be one line (no tab or line break)");
      }
    }
    if (common::find_control_char(trimmed) != std::string_view::npos) {
      throw FeedbackInvalid("comment must not hold control characters");
    }
    if (common::utf8_length(trimmed) > kFeedbackMaxComment) {
      throw FeedbackInvalid("comment must be at most 500 characters");
    }
    text = std::string(trimmed);
  }
  auto target = rateable_target(tenant_id, conversation_id, seq);
  return write(tenant_id, conversation_id, seq, target, rating, text);
}

MessageFeedbackService::Press MessageFeedbackService::press(const std::string& tenant_id,
                                                            const std::string& conversation_id,
                                                            std::int64_t seq, const std::string& rating) {
  if (!rating.empty() && rating != "up" && rating != "down") {
    throw FeedbackInvalid("rating must be \"up\", \"down\" or cleared");
  }
  auto target = rateable_target(tenant_id, conversation_id, seq);
  // A chat's presses are handled one at a time (the inbox's per-chat lane): read-then-write
  // does not race with another press of the same chat.
  if (repository_.rating_of(target.message_id) == rating) {
    return Press{FeedbackRow{seq, rating, "", 0}, false};
  }
  return Press{write(tenant_id, conversation_id, seq, target, rating, ""), true};
}

FeedbackTarget MessageFeedbackService::rateable_target(const std::string& tenant_id,
                                                       const std::string& conversation_id,
                                                       std::int64_t seq) {
  require_uuid(tenant_id, "tenant_id");
  require_uuid(conversation_id, "conversation_id");
  if (seq < 1) throw FeedbackInvalid("seq must be >= 1");
  auto target = repository_.target(tenant_id, conversation_id, seq);
  if (!target) throw FeedbackNotFound("conversation not found");
  if (!target->has_message) throw FeedbackNotFound("message not found");
  if (target->sender_kind != "bot" || !target->has_answered || target->deleted) {
    throw FeedbackNotRateable(
        "only a bot's answer can be rated (not a visitor or operator message, a greeting or a "
        "notice)");
  }
  return *target;
}

FeedbackRow MessageFeedbackService::write(const std::string& tenant_id,
                                          const std::string& conversation_id, std::int64_t seq,
                                          const FeedbackTarget& target, const std::string& rating,
                                          const std::string& comment) {
  // After the checks: neither a bad request nor another tenant's guess spends the budget.
  if (rates_ != nullptr) rates_->admit_feedback_write(conversation_id);
  if (rating.empty()) {
    repository_.clear(target.message_id);
    return FeedbackRow{seq, "", "", 0};
  }
  return repository_.upsert(tenant_id, conversation_id, seq, target, rating, comment);
}

std::vector<FeedbackRow> MessageFeedbackService::of_conversation(const std::string& tenant_id,
                                                                 const std::string& conversation_id) {
  require_uuid(tenant_id, "tenant_id");
  require_uuid(conversation_id, "conversation_id");
  if (!repository_.target(tenant_id, conversation_id, 0)) {
    throw FeedbackNotFound("conversation not found");
  }
  return repository_.of_conversation(tenant_id, conversation_id, kFeedbackConversationMax);
}

FeedbackPage MessageFeedbackService::list_for_bot(const std::string& tenant_id,
                                                  const std::string& bot_id, int days,
                                                  const std::string& rating, int limit) {
  require_uuid(tenant_id, "tenant_id");
  require_uuid(bot_id, "bot_id");
  if (days == 0) days = kFeedbackDefaultDays;
  if (days < 1 || days > kFeedbackMaxDays) throw FeedbackInvalid("days must be 1..90");
  if (limit == 0) limit = kFeedbackDefaultLimit;
  if (limit < 1 || limit > kFeedbackMaxLimit) throw FeedbackInvalid("limit must be 1..200");
  if (!rating.empty() && rating != "up" && rating != "down") {
    throw FeedbackInvalid("rating must be \"up\", \"down\" or empty");
  }
  FeedbackPage page;
  page.days = days;
  page.replies = repository_.recent(tenant_id, bot_id, days, rating, limit);
  for (auto& row : page.replies) row.reply = shortened(row.reply, kFeedbackReplyPreview);
  std::tie(page.up, page.down) = repository_.counts(tenant_id, bot_id, days);
  return page;
}

std::vector<FeedbackDay> MessageFeedbackService::daily(const std::string& tenant_id,
                                                       const std::string& bot_id, int days) {
  require_uuid(tenant_id, "tenant_id");
  if (!bot_id.empty()) require_uuid(bot_id, "bot_id");
  if (days < 1 || days > kFeedbackMaxDays) throw FeedbackInvalid("days must be 1..90");
  return repository_.daily(tenant_id, bot_id, days);
}

}  // namespace botfactory::channel
