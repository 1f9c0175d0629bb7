#include "channels/channel_bindings.hpp"

#include <sodium.h>

#include <algorithm>

#include "botfactory/chat/v1/channels.pb.h"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "channels/channel_credentials.hpp"
#include "pipeline/pipeline_ports.hpp"
#include "pipeline/plan_limits_client.hpp"
#include "channels/telegram_client.hpp"
#include "channels/telegram_wire.hpp"
#include "channels/instagram_wire.hpp"
#include "channels/whatsapp_client.hpp"
#include "channels/whatsapp_wire.hpp"

namespace botfactory::channel {
namespace {

constexpr std::size_t kMaxWebhookBodyBytes = 1 << 20;

[[noreturn]] void throw_status(grpc::StatusCode code, const std::string& message) {
  throw rpc::StatusError(code, message);
}

/// Compares a stored secret with the one a webhook call presented, in constant time
/// (sodium_memcmp) once the lengths match.
bool secret_equal(const std::string& expected, const std::string& given) {
  return expected.size() == given.size() && sodium_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

/// A ConnectChannel failure the gateway names by `error_code` (chat.v1.ChannelErrorInfo):
/// "invalid_credentials" or "provider_unreachable".
[[noreturn]] void throw_named(grpc::StatusCode code, const std::string& error_code, const std::string& message) {
  chat::v1::ChannelErrorInfo info;
  info.set_code(error_code);
  throw rpc::StatusError(code, message, info.SerializeAsString());
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void require_ids(const std::string& tenant_id, const std::string& bot_id) {
  rpc::require_tenant(tenant_id);
  if (bot_id.empty()) rpc::throw_invalid("bot_id is required");
  if (!common::is_uuid(bot_id)) rpc::throw_not_found("bot not found");
}

}  // namespace

bool telegram_token_shape_ok(std::string_view token) {
  if (token.size() < 20 || token.size() > 100) return false;
  auto colon = token.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 20) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    if (token[i] < '0' || token[i] > '9') return false;
  }
  if (token.size() - colon - 1 < 20) return false;
  for (std::size_t i = colon + 1; i < token.size(); ++i) {
    char c = token[i];
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

ChannelBindings::ChannelBindings(ChannelRepository& repository,
                                 std::shared_ptr<const crypto::SecretBox> box,
                                 telegram::BotApiClient& telegram, whatsapp::GraphClient& graph,
                                 BotDirectory& bots, ChannelAllowance& allowance,
                                 std::string public_base_url)
    : repository_(repository),
      box_(std::move(box)),
      telegram_(telegram),
      graph_(graph),
      bots_(bots),
      allowance_(allowance),
      public_base_url_(std::move(public_base_url)),
      log_(common::logger("channels")) {
  while (!public_base_url_.empty() && public_base_url_.back() == '/') public_base_url_.pop_back();
}

void ChannelBindings::require_box() const {
  if (!box_) throw_status(grpc::StatusCode::FAILED_PRECONDITION, "channels are not configured");
}

std::string ChannelBindings::webhook_url(const std::string& channel_id) const {
  if (public_base_url_.empty()) return {};
  return public_base_url_ + "/webhooks/telegram/" + channel_id;
}

ChannelView ChannelBindings::connect(const ConnectRequest& request) {
  require_box();
  require_ids(request.tenant_id, request.bot_id);
  // Another tenant's bot is NOT_FOUND whatever the body says (docs/security.md matrix).
  auto bot = bots_.get_bot(request.tenant_id, request.bot_id);
  if (request.type == "whatsapp" || request.type == "instagram") return connect_meta(request, bot.id);
  if (request.type != "telegram") {
    rpc::throw_invalid("type must be \"telegram\", \"whatsapp\" or \"instagram\"");
  }
  std::string mode = request.mode;
  if (mode.empty()) mode = public_base_url_.empty() ? "polling" : "webhook";
  if (mode != "polling" && mode != "webhook") rpc::throw_invalid("mode must be \"polling\" or \"webhook\"");
  if (mode == "webhook" && public_base_url_.empty()) {
    throw_status(grpc::StatusCode::FAILED_PRECONDITION,
                 "webhook mode needs CHANNEL_PUBLIC_BASE_URL (an https address Telegram can reach); "
                 "use mode \"polling\"");
  }
  if (request.token.empty()) rpc::throw_invalid("token is required");
  if (!telegram_token_shape_ok(request.token)) {
    rpc::throw_invalid("token must be a Telegram bot token from @BotFather (<digits>:<letters>)");
  }

  auto me = telegram_.call(request.token, "getMe", "{}");
  using Kind = telegram::CallResult::Kind;
  if (me.kind == Kind::kUnauthorized || me.kind == Kind::kRejected || me.kind == Kind::kBlocked) {
    throw_named(grpc::StatusCode::INVALID_ARGUMENT, "invalid_credentials",
                "Telegram refused the bot token (getMe: " + telegram::describe(me) +
                    "): copy the token again from @BotFather");
  }
  if (me.kind != Kind::kOk) {
    throw_named(grpc::StatusCode::UNAVAILABLE, "provider_unreachable",
                "Telegram is unreachable (getMe: " + telegram::describe(me) + "), try again");
  }
  auto identity = telegram::parse_bot_identity(me.result);
  if (!identity) throw_status(grpc::StatusCode::UNAVAILABLE, "Telegram answered getMe unexpectedly");

  int max_channels = allowance_.max_channels(request.tenant_id);
  NewChannel channel;
  channel.id = common::random_uuid();
  channel.tenant_id = request.tenant_id;
  channel.bot_id = bot.id;
  channel.kind = "telegram";
  channel.mode = mode;
  channel.external_id = std::to_string(identity->id);
  channel.display_name = identity->username.empty() ? identity->first_name : "@" + identity->username;
  ChannelCredentials credentials{request.token, {}};
  if (mode == "webhook") {
    // secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and - (setWebhook).
    credentials.webhook_secret = common::random_token(32);
    auto set = telegram_.call(request.token, "setWebhook",
                              telegram::set_webhook_body(webhook_url(channel.id), credentials.webhook_secret));
    if (set.kind != Kind::kOk) {
      auto code = set.kind == Kind::kRetry ? grpc::StatusCode::UNAVAILABLE
                                           : grpc::StatusCode::FAILED_PRECONDITION;
      throw_status(code, "Telegram refused the webhook (setWebhook: " + telegram::describe(set) + ")");
    }
  } else {
    // getUpdates answers 409 while a webhook is set.
    auto removed = telegram_.call(request.token, "deleteWebhook", "{}");
    if (removed.kind != Kind::kOk) {
      log_->warn("deleteWebhook before polling failed: {}", telegram::describe(removed));
    }
  }
  channel.credentials = seal_credentials(*box_, credentials);
  channel.last_four = mask_last_four(request.token);
  auto outcome = repository_.insert(channel, max_channels);
  if (outcome != ChannelRepository::InsertOutcome::kInserted && mode == "webhook") {
    telegram_.call(request.token, "deleteWebhook", "{}");
  }
  if (outcome == ChannelRepository::InsertOutcome::kLimitReached) {
    rpc::throw_exhausted("plan limit reached: " + std::to_string(max_channels) +
                         " channel(s) per bot");
  }
  if (outcome == ChannelRepository::InsertOutcome::kDuplicate) {
    rpc::throw_already_exists("this Telegram bot is connected already");
  }
  log_->info("channel {} connected: telegram {} ({}) for bot {} (tenant {})", channel.id,
             channel.display_name, mode, channel.bot_id, channel.tenant_id);
  auto stored = repository_.get(channel.id);
  if (!stored) rpc::throw_not_found("channel not found");
  ChannelView view;
  view.record = std::move(*stored);
  view.webhook_url = mode == "webhook" ? webhook_url(channel.id) : "";
  view.health_state = "connected";
  return view;
}

std::pair<std::optional<telegram::WebhookInfo>, std::string> ChannelBindings::webhook_info(
    const ChannelRecord& record) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(webhook_cache_mutex_);
    auto it = webhook_cache_.find(record.id);
    if (it != webhook_cache_.end() && now - it->second.fetched < kWebhookInfoTtl) {
      return {it->second.info, it->second.error};
    }
  }
  CachedWebhookInfo fresh{now, std::nullopt, {}};
  try {
    auto credentials = open_credentials(*box_, record.credentials);
    auto answer = telegram_.call(credentials.token, "getWebhookInfo", "{}",
                                 telegram::CallTimeouts{std::chrono::milliseconds(2000),
                                                        std::chrono::milliseconds(3000)});
    if (answer.kind == telegram::CallResult::Kind::kOk) {
      fresh.info = telegram::parse_webhook_info(answer.result);
      if (!fresh.info) fresh.error = "getWebhookInfo: unexpected answer";
      if (fresh.info) refresh_allowed_updates(record, credentials, *fresh.info);
    } else {
      fresh.error = "getWebhookInfo: " + telegram::describe(answer);
    }
  } catch (const std::exception& e) {
    log_->warn("channel {}: getWebhookInfo skipped: {}", record.id, e.what());
    fresh.error = "getWebhookInfo: credentials do not open";
  }
  std::lock_guard lock(webhook_cache_mutex_);
  if (webhook_cache_.size() >= kMaxCachedWebhookInfos) {
    std::erase_if(webhook_cache_, [&](const auto& entry) { return now - entry.second.fetched >= kWebhookInfoTtl; });
    if (webhook_cache_.size() >= kMaxCachedWebhookInfos) webhook_cache_.clear();
  }
  webhook_cache_[record.id] = fresh;
  return {fresh.info, fresh.error};
}

void ChannelBindings::refresh_allowed_updates(const ChannelRecord& record,
                                              const ChannelCredentials& credentials,
                                              const telegram::WebhookInfo& info) {
  const auto& kinds = info.allowed_updates;
  if (!info.has_allowed_updates || info.url != webhook_url(record.id) || credentials.webhook_secret.empty() ||
      std::find(kinds.begin(), kinds.end(), "callback_query") != kinds.end()) {
    return;
  }
  auto set = telegram_.call(credentials.token, "setWebhook",
                            telegram::set_webhook_body(info.url, credentials.webhook_secret),
                            telegram::CallTimeouts{std::chrono::milliseconds(2000), std::chrono::milliseconds(3000)});
  if (set.kind == telegram::CallResult::Kind::kOk) {
    log_->info("channel {}: webhook registered again with callback_query (rating buttons)", record.id);
  } else {
    log_->warn("channel {}: setWebhook for callback_query failed: {}", record.id, telegram::describe(set));
  }
}

std::string ChannelBindings::health_state(const ChannelView& view) const {
  const auto& record = view.record;
  if (record.state == "error") return "error";
  if (record.kind == "telegram" && record.mode == "webhook" && view.webhook_info &&
      view.webhook_info->url != view.webhook_url) {
    return "inactive";  // Telegram delivers the updates elsewhere (or nowhere)
  }
  if (record.kind == "telegram" && record.mode == "polling") {
    const auto stale_us = std::chrono::duration_cast<std::chrono::microseconds>(kPollStaleAfter).count();
    const auto now = now_us();
    if (now - record.created_at_us > stale_us &&
        (record.poll_lease_until_us == 0 || now - record.poll_lease_until_us > stale_us)) {
      return "inactive";  // no replica polls it
    }
  }
  return "connected";
}

std::vector<ChannelView> ChannelBindings::list(const std::string& tenant_id, const std::string& bot_id) {
  require_ids(tenant_id, bot_id);
  bots_.get_bot(tenant_id, bot_id);  // NOT_FOUND for another tenant's bot
  std::vector<ChannelView> out;
  for (auto& record : repository_.list(tenant_id, bot_id)) {
    ChannelView view;
    view.webhook_url = record.mode == "webhook" ? webhook_url(record.id) : "";
    if (record.kind != "telegram") {
      view.webhook_url =
          public_base_url_.empty() ? "" : public_base_url_ + "/webhooks/" + record.kind + "/" + record.id;
    }
    if (record.kind == "telegram" && record.mode == "webhook" && box_) {
      std::tie(view.webhook_info, view.webhook_check_error) = webhook_info(record);
    }
    view.record = std::move(record);
    view.health_state = health_state(view);
    out.push_back(std::move(view));
  }
  return out;
}

void ChannelBindings::disconnect(const std::string& tenant_id, const std::string& bot_id,
                                 const std::string& channel_id) {
  require_ids(tenant_id, bot_id);
  if (!common::is_uuid(channel_id)) rpc::throw_not_found("channel not found");
  auto channel = repository_.get(channel_id, tenant_id, bot_id);
  if (!channel) rpc::throw_not_found("channel not found");
  if (channel->kind == "telegram" && channel->mode == "webhook" && box_) {
    try {
      auto credentials = open_credentials(*box_, channel->credentials);
      auto removed = telegram_.call(credentials.token, "deleteWebhook", "{}");
      if (removed.kind != telegram::CallResult::Kind::kOk) {
        log_->warn("channel {}: deleteWebhook failed: {}", channel_id, telegram::describe(removed));
      }
    } catch (const std::exception& e) {
      log_->warn("channel {}: deleteWebhook skipped: {}", channel_id, e.what());
    }
  }
  if (!repository_.remove(channel_id, tenant_id, bot_id)) rpc::throw_not_found("channel not found");
  {
    std::lock_guard lock(webhook_cache_mutex_);
    webhook_cache_.erase(channel_id);
  }
  log_->info("channel {} disconnected (bot {}, tenant {})", channel_id, bot_id, tenant_id);
}

std::optional<ChannelCredentials> ChannelBindings::webhook_credentials(const ChannelRecord& channel) const {
  try {
    return open_credentials(*box_, channel.credentials);
  } catch (const std::exception& e) {
    log_->error("channel {}: credentials do not open: {}", channel.id, e.what());
    return std::nullopt;
  }
}

bool ChannelBindings::receive_telegram_update(const std::string& channel_id,
                                              const std::string& secret_token,
                                              const std::string& body) {
  auto deny = [] { throw_status(grpc::StatusCode::PERMISSION_DENIED, "forbidden"); };
  if (!box_ || !common::is_uuid(channel_id) || secret_token.empty() || secret_token.size() > 256) deny();
  auto channel = repository_.get_core(channel_id);
  if (!channel || channel->kind != "telegram" || channel->mode != "webhook") deny();
  auto credentials = webhook_credentials(*channel);
  if (!credentials || !secret_equal(credentials->webhook_secret, secret_token)) deny();
  if (body.size() > kMaxWebhookBodyBytes) rpc::throw_invalid("update too large");
  auto update = telegram::parse_update(body);
  if (!update) rpc::throw_invalid("the body is not a Telegram Update");
  bool stored = repository_.store_inbound(channel_id, std::to_string(update->update_id), body,
                                          telegram::chat_key(*update));
  if (stored) {
    if (auto* waker = waker_.load()) waker->wake();
  }
  return !stored;
}

namespace {

bool digits_only(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool printable_ascii(std::string_view s) {
  for (char c : s) {
    if (c <= ' ' || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

ChannelView ChannelBindings::connect_meta(const ConnectRequest& request, const std::string& bot_id) {
  const bool whatsapp = request.type == "whatsapp";
  const std::string id_field = whatsapp ? "phone_number_id" : "instagram_account_id";
  const std::string& account = whatsapp ? request.phone_number_id : request.instagram_account_id;
  if (account.empty() || request.access_token.empty() || request.app_secret.empty() ||
      request.verify_token.empty()) {
    rpc::throw_invalid(id_field + ", access_token, app_secret and verify_token are required");
  }
  if (!digits_only(account) || account.size() > 32) {
    rpc::throw_invalid(id_field + (whatsapp ? " must be the WhatsApp phone number id (digits)"
                                            : " must be the Instagram professional account id (digits)"));
  }
  if (request.access_token.size() > 2048 || !printable_ascii(request.access_token)) {
    rpc::throw_invalid("access_token must be a Graph API access token");
  }
  if (request.app_secret.size() > 256 || !printable_ascii(request.app_secret)) {
    rpc::throw_invalid("app_secret must be the Meta app secret");
  }
  if (request.verify_token.size() > 256 || !printable_ascii(request.verify_token)) {
    rpc::throw_invalid("verify_token must be 1-256 printable ASCII characters");
  }
  if (!request.mode.empty() && request.mode != "webhook") rpc::throw_invalid("Meta channels are webhook only");
  // The credentials work before anything is stored: the token must see the number / account.
  auto check = graph_.check_account(account, request.access_token);
  using Kind = whatsapp::SendResult::Kind;
  if (check.kind == Kind::kUnauthorized || check.kind == Kind::kRejected || check.kind == Kind::kWindowClosed) {
    throw_named(grpc::StatusCode::INVALID_ARGUMENT, "invalid_credentials",
                std::string("the Graph API refused the access token for this ") +
                    (whatsapp ? "phone number id" : "Instagram account") + " (GET /" + account +
                    ": " + whatsapp::describe(check) + "): check " + id_field +
                    " and that the token has the " +
                    (whatsapp ? "whatsapp_business_messaging" : "instagram_manage_messages") + " permission");
  }
  if (check.kind != Kind::kOk) {
    throw_named(grpc::StatusCode::UNAVAILABLE, "provider_unreachable",
                "the Meta Graph API is unreachable (GET /" + account + ": " + whatsapp::describe(check) +
                    "), try again");
  }
  int max_channels = allowance_.max_channels(request.tenant_id);
  NewChannel channel;
  channel.id = common::random_uuid();
  channel.tenant_id = request.tenant_id;
  channel.bot_id = bot_id;
  channel.kind = request.type;
  channel.mode = "webhook";
  channel.external_id = account;
  channel.display_name = (whatsapp ? "WhatsApp " : "Instagram ") + account;
  ChannelCredentials credentials;
  credentials.access_token = request.access_token;
  credentials.app_secret = request.app_secret;
  credentials.verify_token = request.verify_token;
  channel.credentials = seal_credentials(*box_, credentials);
  channel.last_four = mask_last_four(request.access_token);
  auto outcome = repository_.insert(channel, max_channels);
  if (outcome == ChannelRepository::InsertOutcome::kLimitReached) {
    rpc::throw_exhausted("plan limit reached: " + std::to_string(max_channels) + " channel(s) per bot");
  }
  if (outcome == ChannelRepository::InsertOutcome::kDuplicate) {
    rpc::throw_already_exists(whatsapp ? "this WhatsApp phone number is connected already"
                                       : "this Instagram account is connected already");
  }
  log_->info("channel {} connected: {} {} for bot {} (tenant {})", channel.id, channel.kind,
             channel.external_id, channel.bot_id, channel.tenant_id);
  auto stored = repository_.get(channel.id);
  if (!stored) rpc::throw_not_found("channel not found");
  std::string url = public_base_url_.empty() ? "" : public_base_url_ + "/webhooks/" + channel.kind + "/" + channel.id;
  ChannelView view;
  view.record = std::move(*stored);
  view.webhook_url = std::move(url);
  view.health_state = "connected";
  return view;
}

std::string ChannelBindings::verify_meta_webhook(const std::string& channel_id, const std::string& mode,
                                                 const std::string& verify_token,
                                                 const std::string& challenge) {
  auto deny = [] { throw_status(grpc::StatusCode::PERMISSION_DENIED, "forbidden"); };
  if (!box_ || !common::is_uuid(channel_id) || mode != "subscribe" || verify_token.empty() ||
      verify_token.size() > 256 || challenge.size() > 256) {
    deny();
  }
  auto channel = repository_.get_core(channel_id);
  if (!channel || (channel->kind != "whatsapp" && channel->kind != "instagram")) deny();
  auto credentials = webhook_credentials(*channel);
  if (!credentials || !secret_equal(credentials->verify_token, verify_token)) deny();
  return challenge;
}

MetaWebhookOutcome ChannelBindings::receive_meta_webhook(const std::string& channel_id,
                                                         const std::string& signature,
                                                         const std::string& body) {
  auto deny = [] { throw_status(grpc::StatusCode::UNAUTHENTICATED, "invalid signature"); };
  if (!box_ || !common::is_uuid(channel_id) || signature.empty() || signature.size() > 100) deny();
  auto channel = repository_.get_core(channel_id);
  if (!channel || (channel->kind != "whatsapp" && channel->kind != "instagram")) deny();
  auto credentials = webhook_credentials(*channel);
  if (!credentials || !whatsapp::signature_ok(credentials->app_secret, body, signature)) deny();
  if (body.size() > kMaxWebhookBodyBytes) rpc::throw_invalid("payload too large");
  std::optional<whatsapp::WebhookPayload> payload;
  if (channel->kind == "instagram") {
    if (auto messages = instagram::parse_webhook(body)) payload = whatsapp::WebhookPayload{std::move(*messages), {}};
  } else {
    payload = whatsapp::parse_webhook(body);
  }
  if (!payload) rpc::throw_invalid("the body is not a Meta webhook payload");
  MetaWebhookOutcome outcome;
  for (const auto& message : payload->messages) {
    if (repository_.store_inbound(channel_id, message.id, whatsapp::stored_message_json(message),
                                  message.from)) {
      ++outcome.messages_stored;
    }
  }
  for (const auto& status : payload->statuses) {
    outcome.statuses_recorded +=
        repository_.record_delivery_status(channel_id, status.id, status.status, status.error);
    if (status.status == "failed") {
      repository_.set_delivery_error(channel_id, "WhatsApp status failed: " + status.error);
    }
  }
  if (outcome.messages_stored > 0) {
    if (auto* waker = waker_.load()) waker->wake();
  }
  return outcome;
}

}  // namespace botfactory::channel
