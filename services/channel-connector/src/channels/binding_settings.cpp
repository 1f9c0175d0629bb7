#include "channels/binding_settings.hpp"

#include "botfactory/common/config.hpp"

namespace botfactory::channel {

BindingSettings binding_settings_from_env(std::chrono::milliseconds ai_timeout) {
  BindingSettings s;
  s.telegram_api_base_url = common::env_string("TELEGRAM_API_BASE_URL", s.telegram_api_base_url);
  s.meta_graph_base_url = common::env_string("META_GRAPH_BASE_URL", s.meta_graph_base_url);
  s.meta_graph_api_version = common::env_string("META_GRAPH_API_VERSION", s.meta_graph_api_version);
  {
    const auto& v = s.meta_graph_api_version;
    auto dot = v.find('.');
    bool ok = v.size() >= 4 && v.size() <= 10 && v[0] == 'v' && dot != std::string::npos && dot > 1 &&
              dot + 1 < v.size() &&
              v.find_first_not_of("0123456789", 1) == dot &&
              v.find_first_not_of("0123456789", dot + 1) == std::string::npos;
    if (!ok) throw common::ConfigError("META_GRAPH_API_VERSION must look like v21.0");
  }
  s.public_base_url = common::env_string("CHANNEL_PUBLIC_BASE_URL", "");
  s.poller.timeout_s = static_cast<int>(common::env_int("TELEGRAM_POLL_TIMEOUT_S", 25, 1, 50));
  s.outbox.workers = static_cast<std::size_t>(common::env_int("CHANNEL_OUTBOX_WORKERS", 4, 1, 64));
  s.outbox.max_attempts = static_cast<int>(common::env_int("CHANNEL_OUTBOX_MAX_ATTEMPTS", 12, 1, 100));
  s.outbox.rates.per_bot_per_second =
      static_cast<int>(common::env_int("TELEGRAM_BOT_MESSAGES_PER_SEC", 30, 0, 1000));
  s.outbox.rates.per_chat_interval =
      std::chrono::milliseconds(common::env_int("TELEGRAM_CHAT_INTERVAL_MS", 1000, 0, 60000));
  s.outbox.ratings = common::env_bool("TELEGRAM_RATINGS", true);  // tgrate
  s.inbox.threads = static_cast<std::size_t>(common::env_int("CHANNEL_INBOX_THREADS", 4, 1, 64));
  s.inbox.batch = static_cast<int>(common::env_int("CHANNEL_INBOX_BATCH", 64, 1, 1000));
  s.inbox.recovery_after = std::chrono::milliseconds(common::env_int(
      "CHANNEL_REPLY_RECOVERY_MS", ai_timeout.count() + 30000, 1000, 3600000));
  s.leases.lease = std::chrono::milliseconds(common::env_int("CHANNEL_LEASE_MS", 10000, 1000, 600000));
  s.leases.renew_every =
      std::chrono::milliseconds(common::env_int("CHANNEL_LEASE_RENEW_MS", 3000, 100, 300000));
  if (s.leases.renew_every * 2 > s.leases.lease) {
    throw common::ConfigError("CHANNEL_LEASE_RENEW_MS must be at most half of CHANNEL_LEASE_MS");
  }
  s.poller.lease = s.inbox.lease = s.outbox.lease = s.leases.lease;
  s.poller.refresh = s.leases.renew_every;
  // chanperf
  s.channel_cache_ttl = std::chrono::milliseconds(common::env_int("CHANNEL_CACHE_TTL_MS", 1000, 0, 60000));
  s.channel_cache_max_entries =
      static_cast<std::size_t>(common::env_int("CHANNEL_CACHE_MAX_ENTRIES", 1024, 1, 1000000));
  return s;
}

}  // namespace botfactory::channel
