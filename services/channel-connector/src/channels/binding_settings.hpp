#pragma once
// Settings of channel bindings (Telegram today): API base URL, public base URL for webhooks,
// polling, inbox and outbox tunables. Read from the environment by main().

#include <string>

#include "channels/channel_inbox.hpp"
#include "channels/lease_heartbeat.hpp"
#include "channels/channel_outbox.hpp"
#include "channels/telegram_poller.hpp"

namespace botfactory::channel {

struct BindingSettings {
  /// TELEGRAM_API_BASE_URL: requests go to <base>/bot<token>/<method>.
  std::string telegram_api_base_url = "https://api.telegram.org";
  /// META_GRAPH_BASE_URL and META_GRAPH_API_VERSION: WhatsApp sends go to
  /// <base>/<version>/<phone-number-id>/messages.
  std::string meta_graph_base_url = "https://graph.facebook.com";
  std::string meta_graph_api_version = "v21.0";
  /// CHANNEL_PUBLIC_BASE_URL: the gateway's public https address ("" = webhook mode off).
  std::string public_base_url;
  PollerSettings poller;
  InboxSettings inbox;
  OutboxSettings outbox;
  /// CHANNEL_LEASE_MS / CHANNEL_LEASE_RENEW_MS (copied into poller, inbox and outbox by
  /// binding_settings_from_env; renew_every also paces the heartbeat).
  LeaseSettings leases;
  /// chanperf: CHANNEL_CACHE_TTL_MS (0..60000, default 1000; 0 = off) and
  /// CHANNEL_CACHE_MAX_ENTRIES (1..1000000, default 1024): channels' core rows kept for the
  /// webhook, inbox and outbox (ChannelCoreCache).
  std::chrono::milliseconds channel_cache_ttl{0};  // off unless set (tests); the env default is 1000
  std::size_t channel_cache_max_entries = 1024;
};

/// Reads TELEGRAM_API_BASE_URL, META_GRAPH_BASE_URL, META_GRAPH_API_VERSION ("v<digits>.<digits>"),
/// CHANNEL_PUBLIC_BASE_URL, TELEGRAM_POLL_TIMEOUT_S (1..50),
/// CHANNEL_INBOX_THREADS (1..64), CHANNEL_INBOX_BATCH (1..1000), CHANNEL_OUTBOX_WORKERS (1..64), CHANNEL_OUTBOX_MAX_ATTEMPTS (1..100),
/// TELEGRAM_BOT_MESSAGES_PER_SEC (0..1000, 0 = no limit), TELEGRAM_CHAT_INTERVAL_MS (0..60000),
/// TELEGRAM_RATINGS (boolean, default on: rating buttons under Telegram replies),
/// CHANNEL_REPLY_RECOVERY_MS (1000..3600000, default AI_TIMEOUT_MS + 30 s), CHANNEL_LEASE_MS
/// (1000..600000, default 10000), CHANNEL_LEASE_RENEW_MS (100..300000, default 3000, at most
/// half the lease). Throws
/// common::ConfigError for a value out of range.
BindingSettings binding_settings_from_env(std::chrono::milliseconds ai_timeout);

}  // namespace botfactory::channel
