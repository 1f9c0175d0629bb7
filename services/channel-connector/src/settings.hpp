#pragma once
// channel-connector configuration: a plain struct, filled from the environment by main().

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "attachments/attachment_store.hpp"
#include "chat/append_committer.hpp"
#include "attachments/attachment_sweeper.hpp"
#include "botfactory/redis/credentials.hpp"
#include "attachments/image_thumbnailer.hpp"
#include "webhooks/webhook_dispatcher.hpp"

namespace botfactory::channel {

/// Everything the service needs besides the database pool. Defaults run locally.
struct ChannelSettings {
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  redis::Credentials redis_credentials;  // REDIS_USERNAME, REDIS_PASSWORD (AUTH when set)
  std::string registry_addr = "127.0.0.1:50053";
  std::string subscription_addr = "127.0.0.1:50052";
  std::string ai_proxy_addr = "127.0.0.1:50054";
  /// Deadline of every unary client call (GetBot, ConsumeQuota).
  std::chrono::milliseconds rpc_timeout{5000};
  /// Deadline of one whole Generate stream.
  std::chrono::milliseconds ai_timeout{30000};
  /// Worker threads running the bot pipeline and the bounds of its per-tenant queues
  /// (see DispatchSettings).
  std::size_t pipeline_threads = 4;
  std::size_t pipeline_queue_capacity = 1000;
  std::size_t pipeline_tenant_queue_capacity = 100;
  std::size_t pipeline_tenant_max_running = 0;  // 0 = half of pipeline_threads, rounded up
  std::size_t pipeline_tenant_burst_running = 0;  // 0 = pipeline_threads - 1 (idle workers lent)
  /// Per-conversation visitor messages and per-bot replies a minute (0 = no limit), counted in
  /// Redis under keys starting with redis_key_prefix.
  std::int64_t visitor_messages_per_min = 10;
  std::int64_t bot_replies_per_min = 30;
  std::string redis_key_prefix = "bf:";
  /// fb2: answer-feedback writes (rate, re-rate, clear) per conversation a minute
  /// (FEEDBACK_WRITES_PER_MIN, 0 = no limit), counted in Redis like the visitor messages.
  std::int64_t feedback_writes_per_min = 30;
  /// Earlier messages sent to ai-proxy as history with each visitor message.
  int history_turns = 10;
  /// Streamed deltas are published at most every delta_flush_interval (0 = every delta) or
  /// when delta_flush_bytes have accumulated (delta_coalescer.hpp).
  std::chrono::milliseconds delta_flush_interval{50};
  std::size_t delta_flush_bytes = 1024;
  /// A widget reply is cancelled once no visitor socket has been present for
  /// visitor_gone_grace (0 = never), presence read at most every visitor_presence_check
  /// (visitor_watch.hpp).
  std::chrono::milliseconds visitor_gone_grace{15000};
  std::chrono::milliseconds visitor_presence_check{1000};
  // files (issue 11): where attachment bytes go, and the thumbnail decoding bounds.
  AttachmentStoreSettings attachment_store;
  ThumbnailSettings thumbnails;
  /// Group commit of chat messages (issue 10): CHAT_COMMIT_MAX_BATCH, CHAT_COMMIT_MAX_QUEUE,
  /// CHAT_COMMIT_MAX_WAIT_US, CHAT_COMMIT_LANES (append_committer.hpp).
  CommitSettings commit;
  /// edits: how long after posting the author may edit or delete a message (EDIT_WINDOW_MS).
  std::chrono::milliseconds edit_window{300000};
  /// tidy: the attachment sweeper (attachment_sweeper.hpp).
  SweepSettings attachment_sweep;
  /// canned: saved replies one tenant may keep (CANNED_RESPONSES_MAX, 1..100000, default 500).
  int canned_max_per_tenant = 500;
  /// hooks: outgoing webhooks — endpoints per tenant (WEBHOOK_ENDPOINTS_MAX, 1..100, default
  /// 10), the enqueuer's per-tenant cache (WEBHOOK_ENDPOINT_CACHE_MS, 0..60000, default 5000)
  /// and the dispatcher (webhook_dispatcher.hpp; allow_private = WEBHOOK_ALLOW_PRIVATE).
  int webhook_endpoints_max = 10;
  std::chrono::milliseconds webhook_cache_ttl{5000};
  /// Events waiting for the enqueuer's writer (WEBHOOK_ENQUEUE_MAX, 100..1000000, default 10000).
  int webhook_enqueue_max = 10000;
  WebhookDispatchSettings webhooks;
  /// hooksec: seals endpoint signing secrets at rest (WEBHOOK_SECRETS_KEY, required; main()
  /// decodes it at start-up). Null = creating or rotating a secret is refused.
  std::shared_ptr<const crypto::SecretBox> webhook_secrets;
};

/// Reads REDIS_HOST, REDIS_PORT, REGISTRY_ADDR, SUBSCRIPTION_ADDR, AI_PROXY_ADDR, RPC_TIMEOUT_MS,
/// AI_TIMEOUT_MS, PIPELINE_THREADS, PIPELINE_QUEUE_CAPACITY, PIPELINE_TENANT_QUEUE_CAPACITY,
/// PIPELINE_TENANT_MAX_RUNNING, PIPELINE_TENANT_BURST_RUNNING (0..256), VISITOR_MESSAGES_PER_MIN,
/// BOT_REPLIES_PER_MIN, FEEDBACK_WRITES_PER_MIN (0..1000000), REDIS_KEY_PREFIX, PIPELINE_DELTA_FLUSH_MS (0..10000),
/// PIPELINE_DELTA_FLUSH_BYTES (1..65536), VISITOR_GONE_GRACE_MS (0..3600000),
/// VISITOR_PRESENCE_CHECK_MS (50..60000), CHAT_COMMIT_MAX_BATCH (1..1024), CHAT_COMMIT_MAX_QUEUE
/// (1..100000), CHAT_COMMIT_MAX_WAIT_US (0..100000), CHAT_COMMIT_LANES (1..16),
/// EDIT_WINDOW_MS (0..86400000, default 300000), ATTACHMENT_SWEEP_INTERVAL_MS (0 = off, or
/// 1000..86400000; default 60000), ATTACHMENT_SWEEP_BATCH (1..10000, default 100).
/// Throws common::ConfigError for a value out of range.
ChannelSettings settings_from_env();

}  // namespace botfactory::channel
