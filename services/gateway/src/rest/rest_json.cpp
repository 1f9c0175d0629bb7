#include "rest/rest_json.hpp"

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/chatwire/message_attachment.hpp"
#include "botfactory/chatwire/message_change_event.hpp"
#include "botfactory/chatwire/message_sources.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "json_input.hpp"
#include "rest/widget_appearance_json.hpp"

namespace botfactory::gateway {
namespace {

boost::json::object sender_json(const chat::v1::Sender& sender) {
  return {{"kind", chatwire::sender_kind_name(sender.kind())},
          {"id", sender.id()},
          {"name", sender.name()}};
}

boost::json::array allowed_origins_json(const registry::v1::Bot& bot) {
  boost::json::array origins;
  for (const auto& origin : bot.allowed_origins()) origins.emplace_back(origin);
  return origins;
}

}  // namespace

boost::json::object parse_json_object(std::string_view body, bool allow_empty) {
  if (common::trim(body).empty()) {
    if (allow_empty) return {};
    throw ApiError(400, "invalid_json", "request body must be a JSON object");
  }
  auto input = parse_json_input(body);
  switch (input.status) {
    case JsonInput::Status::kInvalidJson:
      throw ApiError(400, "invalid_json", "request body is not valid JSON");
    case JsonInput::Status::kControlChar:
      throw ApiError(400, "invalid_argument", control_char_message(input.field));
    case JsonInput::Status::kOk:
      break;
  }
  if (!input.value.is_object()) throw ApiError(400, "invalid_json", "request body must be a JSON object");
  return std::move(input.value.as_object());
}

std::optional<std::string> optional_string_member(const boost::json::object& object, const char* key,
                                                  std::string_view name) {
  auto it = object.find(key);
  if (it == object.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string()) {
    throw ApiError(400, "validation_failed",
                   std::string(name.empty() ? std::string_view(key) : name) + " must be a string");
  }
  return std::string(it->value().as_string());
}

std::string string_member(const boost::json::object& object, const char* key, std::string_view name) {
  return optional_string_member(object, key, name).value_or("");
}

boost::json::object user_json(const auth::v1::User& user) {
  return {{"id", user.id()},
          {"email", user.email()},
          {"username", user.username()},
          {"tenant_id", user.tenant_id()},
          {"role", user.role().empty() ? "owner" : user.role()},  // team accounts
          {"created_at", rpc::rfc3339(user.created_at())}};
}

boost::json::object token_pair_json(const auth::v1::TokenPair& pair) {
  return {{"access_token", pair.access_token()},
          {"refresh_token", pair.refresh_token()},
          {"expires_in", pair.expires_in()},
          {"token_type", "Bearer"}};
}

boost::json::object plan_json(const billing::v1::Plan& plan) {
  const auto& limits = plan.limits();
  return {{"code", plan.code()},
          {"name", plan.name()},
          {"price_cents", plan.price_cents()},
          {"currency", plan.currency()},
          {"trial_days", plan.trial_days()},
          {"limits",
           {{"max_bots", limits.max_bots()},
            {"max_replies_per_month", limits.max_replies_per_month()},
            {"max_knowledge_bytes", limits.max_knowledge_bytes()},
            {"max_channels", limits.max_channels()},
            {"max_tokens_per_month", limits.max_tokens_per_month()},
            {"max_storage_bytes", limits.max_storage_bytes()},  // tidy
            {"max_seats", limits.max_seats()}}}};  // team accounts
}

boost::json::object subscription_json(const billing::v1::Subscription& subscription) {
  return {{"plan", plan_json(subscription.plan())},
          {"status", subscription_status_name(subscription.status())},
          {"current_period_start", rpc::rfc3339(subscription.current_period_start())},
          {"current_period_end", rpc::rfc3339(subscription.current_period_end())},
          {"usage",
           {{"bot_replies", subscription.usage().bot_replies()},
            {"model_tokens", subscription.usage().model_tokens()}}},
          {"quotas",
           {{"bot_replies",
             {{"used", subscription.usage().bot_replies()},
              {"limit", subscription.plan().limits().max_replies_per_month()}}},
            {"model_tokens",
             {{"used", subscription.usage().model_tokens()},
              {"limit", subscription.plan().limits().max_tokens_per_month()}}}}}};
}

void append_storage_quota(boost::json::object& subscription, std::optional<std::int64_t> used_bytes,
                          std::int64_t max_bytes) {
  boost::json::value used = used_bytes ? boost::json::value(*used_bytes) : boost::json::value(nullptr);
  subscription["usage"].as_object()["storage_bytes"] = used;
  subscription["quotas"].as_object()["storage_bytes"] = {{"used", used}, {"limit", max_bytes}};
}

boost::json::object daily_usage_json(int days, const billing::v1::ListDailyUsageResponse& usage) {
  boost::json::array rows;
  rows.reserve(static_cast<std::size_t>(usage.days_size()));
  for (const auto& d : usage.days()) {
    rows.push_back(boost::json::object{{"day", d.day()},
                                       {"bot_id", d.bot_id()},
                                       {"replies", d.replies()},
                                       {"prompt_tokens", d.prompt_tokens()},
                                       {"completion_tokens", d.completion_tokens()},
                                       {"tokens", d.prompt_tokens() + d.completion_tokens()}});
  }
  return {{"days", days},
          {"first_day", usage.first_day()},
          {"last_day", usage.last_day()},
          {"usage", std::move(rows)}};
}

boost::json::object bot_json(const registry::v1::Bot& bot) {
  return {{"id", bot.id()},
          {"public_id", bot.public_id()},
          {"name", bot.name()},
          {"language", bot.language()},
          {"greeting", bot.greeting()},
          {"instructions", bot.instructions()},
          {"provider",
           {{"provider", bot.provider().provider()},
            {"model", bot.provider().model()},
            {"temperature", bot.provider().temperature()},
            {"max_output_tokens", bot.provider().max_output_tokens()},
            {"fallback_to_extractive", bot.provider().fallback_to_extractive()}}},
          {"effective_answerer", bot.effective_answerer()},
          {"effective_answerer_reason", bot.effective_answerer_reason().empty()
                                            ? boost::json::value(nullptr)
                                            : boost::json::value(bot.effective_answerer_reason())},
          {"allowed_origins", allowed_origins_json(bot)},
          {"widget", widget_json(bot.widget())},
          {"created_at", rpc::rfc3339(bot.created_at())},
          {"updated_at", rpc::rfc3339(bot.updated_at())}};
}

boost::json::object provider_key_json(const registry::v1::ProviderKey& key) {
  return {{"provider", key.provider()},
          {"last_four", key.last_four()},
          {"base_url", key.base_url().empty() ? boost::json::value(nullptr)
                                              : boost::json::value(key.base_url())},
          {"created_at", rpc::rfc3339(key.created_at())},
          {"updated_at", rpc::rfc3339(key.updated_at())}};
}

boost::json::object document_json(const registry::v1::Document& document) {
  return {{"id", document.id()},
          {"title", document.title()},
          {"format", document_format_name(document.format())},
          {"size_bytes", document.size_bytes()},
          {"chunk_count", document.chunk_count()},
          {"semantic_index", document.embedded()            ? "ready"
                             : document.embedding_pending() ? "pending"
                                                            : "off"},
          {"created_at", rpc::rfc3339(document.created_at())}};
}

boost::json::object conversation_json(const chat::v1::Conversation& conversation) {
  return {{"id", conversation.id()},
          {"bot_id", conversation.bot_id()},
          {"channel", conversation.channel()},
          {"visitor", sender_json(conversation.visitor())},
          {"last_seq", conversation.last_seq()},
          {"created_at", rpc::rfc3339(conversation.created_at())},
          {"updated_at", rpc::rfc3339(conversation.updated_at())},
          {"handler", conversation.handler().empty() ? "bot" : conversation.handler()},
          {"waiting_for_human", conversation.waiting_for_human()}};
}

boost::json::object bot_model_status_json(const chat::v1::BotModelStatus& status) {
  auto time_or_null = [](bool set, const google::protobuf::Timestamp& at) -> boost::json::value {
    if (!set) return nullptr;
    return boost::json::value(rpc::rfc3339(at));
  };
  boost::json::value reason = nullptr;
  if (!status.last_fallback_reason().empty()) reason = boost::json::value(status.last_fallback_reason());
  return boost::json::object{
      {"bot_id", status.bot_id()},
      {"state", status.degraded() ? "degraded" : "ok"},
      {"last_fallback_reason", std::move(reason)},
      {"last_fallback_at", time_or_null(status.has_last_fallback_at(), status.last_fallback_at())},
      {"last_model_reply_at",
       time_or_null(status.has_last_model_reply_at(), status.last_model_reply_at())}};
}

boost::json::object analytics_json(int days, const chat::v1::GetAnalyticsResponse& analytics,
                                   boost::json::value quota) {
  boost::json::array daily;
  daily.reserve(static_cast<std::size_t>(analytics.days_size()));
  std::int64_t visitor = 0, bot = 0, op = 0, started = 0, answered = 0, unanswered = 0;
  std::int64_t feedback_up = 0, feedback_down = 0;
  for (const auto& d : analytics.days()) {
    daily.push_back(boost::json::object{
        {"date", d.date()},
        {"messages",
         {{"visitor", d.visitor_messages()}, {"bot", d.bot_messages()}, {"operator", d.operator_messages()}}},
        {"conversations_started", d.conversations_started()},
        {"answered", d.answered()},
        {"unanswered", d.unanswered()},
        {"feedback", {{"up", d.feedback_up()}, {"down", d.feedback_down()}}}});  // answer feedback
    feedback_up += d.feedback_up();
    feedback_down += d.feedback_down();
    visitor += d.visitor_messages();
    bot += d.bot_messages();
    op += d.operator_messages();
    started += d.conversations_started();
    answered += d.answered();
    unanswered += d.unanswered();
  }
  boost::json::value share = nullptr;
  if (answered + unanswered > 0) {
    share = static_cast<double>(answered) / static_cast<double>(answered + unanswered);
  }
  return {{"days", days},
          {"daily", std::move(daily)},
          {"totals",
           {{"messages", {{"visitor", visitor}, {"bot", bot}, {"operator", op}}},
            {"conversations_started", started},
            {"answered", answered},
            {"unanswered", unanswered},
            {"answered_share", std::move(share)},
            {"feedback", {{"up", feedback_up}, {"down", feedback_down}}}}},
          {"quota", std::move(quota)}};
}

boost::json::object message_json(const chat::v1::Message& message) {
  boost::json::object json{{"seq", message.seq()},
                           {"id", message.id()},
                           {"sender", sender_json(message.sender())},
                           {"text", message.text()},
                           {"created_at", rpc::rfc3339(message.created_at())}};
  chatwire::append_edit_state(json, message);  // edits
  // A seq-stream entry that is not a chat message (docs/protocol.md "Seq stream entries"):
  // "edited" / "deleted" (edits, with target_seq) or "member.*" (rooms).
  if (!message.event().empty()) json.emplace("event", message.event());
  if (chatwire::is_change_event(message)) json.emplace("target_seq", message.target_seq());
  chatwire::append_sources(json, message);
  chatwire::append_attachment(json, message);  // files
  if (message.rateable()) json.emplace("rateable", true);  // answer feedback
  return json;
}

std::string_view subscription_status_name(billing::v1::SubscriptionStatus status) {
  switch (status) {
    case billing::v1::SUBSCRIPTION_STATUS_TRIALING: return "trialing";
    case billing::v1::SUBSCRIPTION_STATUS_ACTIVE: return "active";
    case billing::v1::SUBSCRIPTION_STATUS_EXPIRED: return "expired";
    default: return "unknown";
  }
}

std::string_view document_format_name(registry::v1::DocumentFormat format) {
  switch (format) {
    case registry::v1::DOCUMENT_FORMAT_MARKDOWN: return "markdown";
    case registry::v1::DOCUMENT_FORMAT_HTML: return "html";
    case registry::v1::DOCUMENT_FORMAT_PDF: return "pdf";
    default: return "text";
  }
}

std::optional<registry::v1::DocumentFormat> document_format_from_name(std::string_view name) {
  if (name == "text") return registry::v1::DOCUMENT_FORMAT_TEXT;
  if (name == "markdown") return registry::v1::DOCUMENT_FORMAT_MARKDOWN;
  if (name == "html") return registry::v1::DOCUMENT_FORMAT_HTML;
  return std::nullopt;
}

std::optional<registry::v1::DocumentFormat> document_format_from_filename(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string ext = common::to_lower_ascii(name.substr(dot + 1));
  if (ext == "txt") return registry::v1::DOCUMENT_FORMAT_TEXT;
  if (ext == "md" || ext == "markdown") return registry::v1::DOCUMENT_FORMAT_MARKDOWN;
  if (ext == "html" || ext == "htm") return registry::v1::DOCUMENT_FORMAT_HTML;
  if (ext == "pdf") return registry::v1::DOCUMENT_FORMAT_PDF;
  return std::nullopt;
}

}  // namespace botfactory::gateway
