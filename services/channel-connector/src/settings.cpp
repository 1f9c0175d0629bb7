#include "settings.hpp"

#include "botfactory/common/config.hpp"
#include "botfactory/rpc/client.hpp"

namespace botfactory::channel {

ChannelSettings settings_from_env() {
  ChannelSettings s;
  s.redis_host = common::env_string("REDIS_HOST", s.redis_host);
  s.redis_port = static_cast<int>(common::env_int("REDIS_PORT", s.redis_port, 1, 65535));
  s.redis_credentials = redis::credentials_from_env();
  s.registry_addr = common::env_string("REGISTRY_ADDR", s.registry_addr);
  s.subscription_addr = common::env_string("SUBSCRIPTION_ADDR", s.subscription_addr);
  s.ai_proxy_addr = common::env_string("AI_PROXY_ADDR", s.ai_proxy_addr);
  s.rpc_timeout = rpc::rpc_timeout_from_env();
  s.ai_timeout = std::chrono::milliseconds(common::env_int("AI_TIMEOUT_MS", 30000, 1, 600000));
  s.pipeline_threads = static_cast<std::size_t>(common::env_int("PIPELINE_THREADS", 4, 1, 256));
  s.pipeline_queue_capacity =
      static_cast<std::size_t>(common::env_int("PIPELINE_QUEUE_CAPACITY", 1000, 1, 1000000));
  s.pipeline_tenant_queue_capacity =
      static_cast<std::size_t>(common::env_int("PIPELINE_TENANT_QUEUE_CAPACITY", 100, 1, 1000000));
  s.pipeline_tenant_max_running =
      static_cast<std::size_t>(common::env_int("PIPELINE_TENANT_MAX_RUNNING", 0, 0, 256));
  s.pipeline_tenant_burst_running =
      static_cast<std::size_t>(common::env_int("PIPELINE_TENANT_BURST_RUNNING", 0, 0, 256));
  s.visitor_messages_per_min =
      common::env_int("VISITOR_MESSAGES_PER_MIN", s.visitor_messages_per_min, 0, 1000000);
  s.bot_replies_per_min = common::env_int("BOT_REPLIES_PER_MIN", s.bot_replies_per_min, 0, 1000000);
  s.feedback_writes_per_min =
      common::env_int("FEEDBACK_WRITES_PER_MIN", s.feedback_writes_per_min, 0, 1000000);
  s.redis_key_prefix = common::env_string("REDIS_KEY_PREFIX", s.redis_key_prefix);
  s.delta_flush_interval =
      std::chrono::milliseconds(common::env_int("PIPELINE_DELTA_FLUSH_MS", 50, 0, 10000));
  s.delta_flush_bytes =
      static_cast<std::size_t>(common::env_int("PIPELINE_DELTA_FLUSH_BYTES", 1024, 1, 65536));
  s.visitor_gone_grace =
      std::chrono::milliseconds(common::env_int("VISITOR_GONE_GRACE_MS", 15000, 0, 3600000));
  s.visitor_presence_check =
      std::chrono::milliseconds(common::env_int("VISITOR_PRESENCE_CHECK_MS", 1000, 50, 60000));
  s.attachment_store = attachment_store_settings_from_env();  // files
  s.thumbnails = thumbnail_settings_from_env();
  s.commit.max_batch = static_cast<std::size_t>(
      common::env_int("CHAT_COMMIT_MAX_BATCH", static_cast<std::int64_t>(s.commit.max_batch), 1, 1024));
  s.commit.max_queue = static_cast<std::size_t>(
      common::env_int("CHAT_COMMIT_MAX_QUEUE", static_cast<std::int64_t>(s.commit.max_queue), 1, 100000));
  s.commit.max_wait = std::chrono::microseconds(
      common::env_int("CHAT_COMMIT_MAX_WAIT_US", s.commit.max_wait.count(), 0, 100000));
  s.commit.lanes = static_cast<std::size_t>(
      common::env_int("CHAT_COMMIT_LANES", static_cast<std::int64_t>(s.commit.lanes), 1, 16));
  s.edit_window =
      std::chrono::milliseconds(common::env_int("EDIT_WINDOW_MS", 300000, 0, 86400000));
  // canned: saved replies per tenant (canned/canned_responses.hpp)
  s.canned_max_per_tenant =
      static_cast<int>(common::env_int("CANNED_RESPONSES_MAX", s.canned_max_per_tenant, 1, 100000));
  // tidy: the attachment sweeper (attachment_sweeper.hpp)
  s.attachment_sweep.interval = std::chrono::milliseconds(
      common::env_int("ATTACHMENT_SWEEP_INTERVAL_MS", s.attachment_sweep.interval.count(), 0, 86400000));
  if (s.attachment_sweep.interval.count() > 0 && s.attachment_sweep.interval.count() < 1000) {
    throw common::ConfigError("ATTACHMENT_SWEEP_INTERVAL_MS must be 0 (off) or 1000..86400000");
  }
  s.attachment_sweep.batch =
      static_cast<int>(common::env_int("ATTACHMENT_SWEEP_BATCH", s.attachment_sweep.batch, 1, 10000));
  // hooks: outgoing webhooks (webhooks/*.hpp)
  s.webhook_endpoints_max =
      static_cast<int>(common::env_int("WEBHOOK_ENDPOINTS_MAX", s.webhook_endpoints_max, 1, 100));
  s.webhook_cache_ttl = std::chrono::milliseconds(
      common::env_int("WEBHOOK_ENDPOINT_CACHE_MS", s.webhook_cache_ttl.count(), 0, 60000));
  s.webhook_enqueue_max = static_cast<int>(
      common::env_int("WEBHOOK_ENQUEUE_MAX", s.webhook_enqueue_max, 100, 1000000));
  s.webhooks.allow_private = common::env_bool("WEBHOOK_ALLOW_PRIVATE", false);
  s.webhooks.poll_interval = std::chrono::milliseconds(
      common::env_int("WEBHOOK_POLL_MS", s.webhooks.poll_interval.count(), 50, 60000));
  s.webhooks.batch = static_cast<int>(common::env_int("WEBHOOK_DISPATCH_BATCH", s.webhooks.batch, 1, 256));
  s.webhooks.connect_timeout = std::chrono::milliseconds(
      common::env_int("WEBHOOK_CONNECT_TIMEOUT_MS", s.webhooks.connect_timeout.count(), 100, 60000));
  s.webhooks.total_timeout = std::chrono::milliseconds(
      common::env_int("WEBHOOK_TIMEOUT_MS", s.webhooks.total_timeout.count(), 100, 120000));
  s.webhooks.pending_cap =
      static_cast<int>(common::env_int("WEBHOOK_PENDING_MAX", s.webhooks.pending_cap, 1, 1000000));
  s.webhooks.retention_days =
      static_cast<int>(common::env_int("WEBHOOK_RETENTION_DAYS", s.webhooks.retention_days, 1, 365));
  return s;
}

}  // namespace botfactory::channel
