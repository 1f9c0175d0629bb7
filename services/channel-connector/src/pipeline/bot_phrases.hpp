#pragma once
// Fixed bot messages in the bot's language (en, ru, uz; anything else falls back to en).

#include <string>
#include <string_view>

namespace botfactory::channel {

/// Posted instead of a reply when the tenant's bot-reply quota is exhausted.
std::string quota_exhausted_text(std::string_view language);

/// Posted instead of a reply when the bot is over its reply rate (BOT_REPLIES_PER_MIN), at most
/// once per conversation and minute.
std::string busy_text(std::string_view language);

/// Posted when the bot's model provider is over its rate limit or quota (ai-proxy answered
/// RESOURCE_EXHAUSTED): a polite "busy, try again in a moment".
std::string provider_busy_text(std::string_view language);

/// Posted for an /ai command without a question: how to use it.
std::string ai_usage_text(std::string_view language);

/// Posted when the reply could not be generated (registry, subscription or ai-proxy failed).
std::string apology_text(std::string_view language);

/// The heading of a channel reply's sources list: "Sources:", "Источники:", "Manbalar:".
std::string sources_heading(std::string_view language);

}  // namespace botfactory::channel

namespace botfactory::channel {

// tgrate: ratings on Telegram (docs/channels.md "Ratings on Telegram").
/// The labels of the rating buttons under a Telegram reply: "👍 Helpful" / "👎 Not helpful".
std::string rating_up_label(std::string_view language);
std::string rating_down_label(std::string_view language);
/// answerCallbackQuery texts: the rating was stored, cleared (the same button again), refused
/// over FEEDBACK_WRITES_PER_MIN, or the press names nothing rateable (stale or foreign).
std::string rating_thanks_text(std::string_view language);
std::string rating_cleared_text(std::string_view language);
std::string rating_too_many_text(std::string_view language);
std::string rating_unavailable_text(std::string_view language);

}  // namespace botfactory::channel
