#pragma once
// Channel bindings of bots (docs/channels.md): connect (credentials checked with the far side,
// sealed at rest, plan limit), list with health, disconnect, and the hand-over of inbound webhook
// updates into the durable inbox. Telegram today; the kind switch is where WhatsApp and
// Instagram join.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "channels/channel_credentials.hpp"
#include "channels/channel_repository.hpp"
#include "channels/telegram_wire.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::channel {

class BotDirectory;
class ChannelAllowance;
namespace telegram {
class BotApiClient;
}
namespace whatsapp {
class GraphClient;
}

/// Woken when new inbound updates are stored (the inbox processor).
class InboxWaker {
 public:
  virtual ~InboxWaker() = default;
  virtual void wake() = 0;
};

/// ConnectChannel's input, plain.
struct ConnectRequest {
  std::string tenant_id{};
  std::string bot_id{};
  std::string type{};  // "telegram"
  std::string mode{};  // "polling" | "webhook" | ""
  std::string token{};
  // Meta channels: WhatsApp Cloud API (type "whatsapp": phone_number_id) or Instagram (type
  // "instagram": instagram_account_id), with all three secrets.
  std::string phone_number_id{};
  std::string access_token{};
  std::string app_secret{};
  std::string verify_token{};
  std::string instagram_account_id{};
};

/// What one signed WhatsApp webhook call carried.
struct MetaWebhookOutcome {
  int messages_stored = 0;    // new inbox rows (repeats not counted)
  int statuses_recorded = 0;  // outbox rows whose delivery status changed
};

/// A channel as callers see it: the record (credentials never leave this class: the adapter
/// reads only last_four) and its webhook URL.
struct ChannelView {
  ChannelRecord record;
  std::string webhook_url;
  /// Webhook mode in list(): Telegram's getWebhookInfo, when it answered.
  std::optional<telegram::WebhookInfo> webhook_info;
  /// Webhook mode in list(): why getWebhookInfo could not be asked ("" = it answered).
  std::string webhook_check_error;
  /// list(): "connected" | "error" | "inactive" (ChannelBindings::health_state()).
  std::string health_state;
};

/// How long list() reuses a channel's getWebhookInfo answer (or failure): a dashboard polling
/// the listing never hammers Telegram.
inline constexpr std::chrono::seconds kWebhookInfoTtl{60};
/// A polling channel whose poll lease expired longer ago than this is "inactive".
inline constexpr std::chrono::seconds kPollStaleAfter{60};

/// Thread-safe. Errors are rpc::StatusError (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
/// RESOURCE_EXHAUSTED, FAILED_PRECONDITION, PERMISSION_DENIED, UNAVAILABLE) or pg::Error.
class ChannelBindings {
 public:
  /// `public_base_url`: CHANNEL_PUBLIC_BASE_URL ("" = webhook mode unavailable). All references
  /// must outlive the object; `box` may be null (then every call is FAILED_PRECONDITION).
  /// `graph` checks WhatsApp / Instagram credentials at connect time.
  ChannelBindings(ChannelRepository& repository, std::shared_ptr<const crypto::SecretBox> box,
                  telegram::BotApiClient& telegram, whatsapp::GraphClient& graph, BotDirectory& bots,
                  ChannelAllowance& allowance, std::string public_base_url);

  void set_inbox_waker(InboxWaker* waker) { waker_.store(waker); }

  /// Checks the bot (NOT_FOUND, before anything else), validates type/mode and the token shape
  /// (INVALID_ARGUMENT), calls getMe
  /// (401/404 → INVALID_ARGUMENT "Telegram refused the bot token"; unreachable → UNAVAILABLE),
  /// (WhatsApp / Instagram: GraphClient::check_account instead; 4xx → INVALID_ARGUMENT with
  /// ChannelErrorInfo "invalid_credentials" in the details, unreachable → UNAVAILABLE
  /// "provider_unreachable"; Telegram's getMe refusals carry the same details),
  /// checks the plan's max_channels (RESOURCE_EXHAUSTED), registers the webhook in webhook mode
  /// (setWebhook with a random secret_token and allowed_updates ["message", "callback_query"]; polling mode calls
  /// deleteWebhook so getUpdates works), and stores the channel.
  ChannelView connect(const ConnectRequest& request);
  /// The bot's channels, oldest first, with their health state and, for Telegram webhook-mode
  /// ones, getWebhookInfo (3 s at most each, reused for kWebhookInfoTtl; a failure is reported
  /// in webhook_check_error, never thrown); NOT_FOUND when the bot is not the tenant's.
  std::vector<ChannelView> list(const std::string& tenant_id, const std::string& bot_id);
  /// Deletes the binding; deleteWebhook first in webhook mode (best-effort, logged).
  void disconnect(const std::string& tenant_id, const std::string& bot_id, const std::string& channel_id);
  /// Checks the secret token (constant time) and stores the update; true when it was a repeat.
  bool receive_telegram_update(const std::string& channel_id, const std::string& secret_token,
                               const std::string& body);

  /// WhatsApp webhook verification: the challenge when `mode` is "subscribe" and
  /// `verify_token` equals the channel's (constant time); PERMISSION_DENIED otherwise.
  std::string verify_meta_webhook(const std::string& channel_id, const std::string& mode,
                                  const std::string& verify_token, const std::string& challenge);
  /// A WhatsApp webhook call: UNAUTHENTICATED unless `signature` ("sha256=<hex>") is the
  /// HMAC-SHA256 of `body` under the channel's app secret (checked before anything is parsed or
  /// stored; an unknown channel is UNAUTHENTICATED too); INVALID_ARGUMENT for a body that is not
  /// a webhook payload. Stores each message in the inbox (external id = wamid, so repeats are
  /// one row) and records statuses on the outbox rows.
  MetaWebhookOutcome receive_meta_webhook(const std::string& channel_id, const std::string& signature,
                                          const std::string& body);

  /// The webhook URL of `channel_id`: <public base>/webhooks/telegram/<id>.
  std::string webhook_url(const std::string& channel_id) const;

 private:
  void require_box() const;
  /// getWebhookInfo of a Telegram webhook channel through the cache: the answer or why not.
  std::pair<std::optional<telegram::WebhookInfo>, std::string> webhook_info(const ChannelRecord& record);
  /// tgrate: a webhook of ours registered before rating buttons existed (allowed_updates listed
  /// without "callback_query") is registered again with the same URL and secret (setWebhook), so
  /// presses reach it; failures are logged (channel id and Telegram's description only).
  void refresh_allowed_updates(const ChannelRecord& record, const ChannelCredentials& credentials,
                               const telegram::WebhookInfo& info);
  /// "error" | "inactive" | "connected" (see chat.v1.Channel.health_state).
  std::string health_state(const ChannelView& view) const;
  /// The channel's opened credentials for a webhook check; nullopt (logged, never the secret)
  /// when they do not open under the current CHANNEL_CREDENTIALS_SECRET.
  std::optional<ChannelCredentials> webhook_credentials(const ChannelRecord& channel) const;
  ChannelView connect_meta(const ConnectRequest& request, const std::string& bot_id);

  ChannelRepository& repository_;
  std::shared_ptr<const crypto::SecretBox> box_;
  telegram::BotApiClient& telegram_;
  whatsapp::GraphClient& graph_;
  BotDirectory& bots_;
  ChannelAllowance& allowance_;
  std::string public_base_url_;
  std::atomic<InboxWaker*> waker_{nullptr};
  std::shared_ptr<spdlog::logger> log_;
  struct CachedWebhookInfo {
    std::chrono::steady_clock::time_point fetched;
    std::optional<telegram::WebhookInfo> info;
    std::string error;
  };
  static constexpr std::size_t kMaxCachedWebhookInfos = 4096;
  std::mutex webhook_cache_mutex_;
  std::map<std::string, CachedWebhookInfo> webhook_cache_;  // channel id →; guarded by the mutex
};

/// True when `token` has the shape of a Telegram bot token: "<bot id digits>:<35 or so
/// characters of [A-Za-z0-9_-]>" (https://core.telegram.org/bots/features#botfather), ≤ 100 chars.
bool telegram_token_shape_ok(std::string_view token);

}  // namespace botfactory::channel
