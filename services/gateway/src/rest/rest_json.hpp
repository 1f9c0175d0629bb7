#pragma once
// JSON shapes of the REST API (docs/api.md): snake_case fields, RFC 3339 UTC timestamps,
// lower-case enum names.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "botfactory/auth/v1/auth.pb.h"
#include "botfactory/billing/v1/billing.pb.h"
#include "botfactory/chat/v1/chat.pb.h"
#include "botfactory/registry/v1/registry.pb.h"

namespace botfactory::gateway {

/// A REST request body as a JSON object (RFC 8259). An empty (or blank) body is `{}` when
/// `allow_empty`. Throws ApiError 400 `invalid_json` when it is not JSON or not an object, and
/// 400 `invalid_argument` when any string in it holds a control character other than \t \n \r
/// (parse_json_input(); NUL never reaches a service or libpq).
boost::json::object parse_json_object(std::string_view body, bool allow_empty = false);

/// String member `key` of `object`: nullopt when absent or null; throws ApiError 400
/// `validation_failed` "<name> must be a string" for any other type (`name`: `key` when empty).
std::optional<std::string> optional_string_member(const boost::json::object& object, const char* key,
                                                  std::string_view name = {});

/// optional_string_member() with "" for absent or null.
std::string string_member(const boost::json::object& object, const char* key, std::string_view name = {});

/// {id, email, username, tenant_id, created_at}
boost::json::object user_json(const auth::v1::User& user);
/// {access_token, refresh_token, expires_in, token_type: "Bearer"}
boost::json::object token_pair_json(const auth::v1::TokenPair& pair);
/// {code, name, price_cents, currency, trial_days, limits {max_bots, max_replies_per_month,
/// max_knowledge_bytes, max_channels, max_tokens_per_month, max_storage_bytes}}
boost::json::object plan_json(const billing::v1::Plan& plan);
/// {plan, status, current_period_start, current_period_end, usage {bot_replies, model_tokens},
/// quotas {bot_replies {used, limit}, model_tokens {used, limit}}}: the reply quota and the
/// token allowance side by side.
boost::json::object subscription_json(const billing::v1::Subscription& subscription);
/// tidy: adds the tenant's attachment storage to a subscription_json object:
/// usage.storage_bytes and quotas.storage_bytes {used, limit} (bytes; used null when
/// channel-connector cannot say, limit the plan's max_storage_bytes).
void append_storage_quota(boost::json::object& subscription, std::optional<std::int64_t> used_bytes,
                          std::int64_t max_bytes);
/// {days, first_day, last_day, usage [{day, bot_id, replies, prompt_tokens, completion_tokens,
/// tokens}]}: `days` as asked, days "YYYY-MM-DD" (UTC), tokens = prompt + completion.
boost::json::object daily_usage_json(int days, const billing::v1::ListDailyUsageResponse& usage);
/// {id, public_id, name, language, greeting, instructions, provider {provider, model,
/// temperature, max_output_tokens, fallback_to_extractive}, effective_answerer,
/// effective_answerer_reason (string or null), allowed_origins [..], widget {color, title,
/// position, suggested_questions} (look), created_at, updated_at}
boost::json::object bot_json(const registry::v1::Bot& bot);
/// {provider, last_four, base_url (string or null), created_at, updated_at}: never the key.
boost::json::object provider_key_json(const registry::v1::ProviderKey& key);
/// {id, title, format, size_bytes, chunk_count, created_at}
boost::json::object document_json(const registry::v1::Document& document);
/// {id, bot_id, channel, visitor {kind, id, name}, last_seq, created_at, updated_at}
boost::json::object conversation_json(const chat::v1::Conversation& conversation);
/// GET /analytics: {"days", "daily": [{"date", "messages": {"visitor","bot","operator"},
/// "conversations_started", "answered", "unanswered", "feedback": {"up","down"}}], "totals": {…
/// and "answered_share": answered / (answered + unanswered), null when no model reply},
/// "quota": `quota`}. feedback: answer ratings by the day of their last change.
boost::json::object analytics_json(int days, const chat::v1::GetAnalyticsResponse& analytics,
                                   boost::json::value quota);
/// GET /bots/{id}/model-status: {"bot_id", "state": "ok" | "degraded", "last_fallback_reason"
/// (null when none), "last_fallback_at", "last_model_reply_at" (RFC 3339, null when none)}.
boost::json::object bot_model_status_json(const chat::v1::BotModelStatus& status);
/// {seq, id, sender {kind, id, name}, text, created_at} plus sources [{document_id,
/// document_title, chunk_id}] when the message has any (chatwire::append_sources).
boost::json::object message_json(const chat::v1::Message& message);

/// "trialing", "active", "expired" ("unknown" otherwise).
std::string_view subscription_status_name(billing::v1::SubscriptionStatus status);
/// "text", "markdown", "html", "pdf" (unspecified is plain text).
std::string_view document_format_name(registry::v1::DocumentFormat format);
/// The format for "text" / "markdown" / "html", or nullopt.
std::optional<registry::v1::DocumentFormat> document_format_from_name(std::string_view name);
/// The format for a file name by extension (.txt, .md, .markdown, .html, .htm, .pdf; any case), or
/// nullopt for anything else.
std::optional<registry::v1::DocumentFormat> document_format_from_filename(std::string_view name);

}  // namespace botfactory::gateway
