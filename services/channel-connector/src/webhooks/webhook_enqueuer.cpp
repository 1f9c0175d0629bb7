#include "webhooks/webhook_enqueuer.hpp"

#include <spdlog/spdlog.h>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "webhooks/webhook_endpoints.hpp"
#include "webhooks/webhook_payloads.hpp"
#include "webhooks/webhook_repository.hpp"

namespace botfactory::channel {
namespace {

/// Telegram, WhatsApp and Instagram conversations are opened by the channel inbox (an upsert in
/// channel_repository), not by CreateConversation: their `conversation.created` goes out with
/// their first message (seq 1), and CreateConversation's path skips them so none is sent twice.
bool inbox_channel(const std::string& channel) {
  return channel == "telegram" || channel == "whatsapp" || channel == "instagram";
}

std::int64_t system_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WebhookEnqueuer::WebhookEnqueuer(WebhookRepository& repository, metrics::Registry& registry,
                                 std::chrono::milliseconds cache_ttl, std::size_t max_cached,
                                 Clock clock, std::size_t max_queued)
    : repository_(repository),
      ttl_(cache_ttl),
      max_cached_(std::max<std::size_t>(1, max_cached)),
      clock_(clock ? std::move(clock) : Clock(system_micros)),
      log_(common::logger("webhooks")),
      enqueued_(registry.counter("webhook_deliveries_enqueued_total",
                                 "Outgoing webhook deliveries queued")),
      failures_(registry.counter("webhook_enqueue_failures_total",
                                 "Committed chat events whose webhook deliveries could not be queued")),
      dropped_(registry.counter("webhook_enqueue_dropped_total",
                                "Chat events dropped because WEBHOOK_ENQUEUE_MAX events waited")),
      max_queued_(std::max<std::size_t>(1, max_queued)) {}

WebhookEnqueuer::~WebhookEnqueuer() { stop(); }

void WebhookEnqueuer::start() {
  std::lock_guard lock(queue_mutex_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  writer_ = std::thread([this] { run(); });
}

void WebhookEnqueuer::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  std::lock_guard lock(queue_mutex_);
  running_ = false;
}

void WebhookEnqueuer::run() {
  constexpr std::size_t kMaxPerInsert = 500;
  std::vector<WebhookEventRow> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, everything written
      while (!queue_.empty() && batch.size() < kMaxPerInsert) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    write(batch);
    batch.clear();
  }
}

void WebhookEnqueuer::invalidate(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  cache_.erase(tenant_id);
}

bool WebhookEnqueuer::wanted(const std::string& tenant_id) {
  const auto now = clock_();
  if (ttl_.count() > 0) {
    std::lock_guard lock(mutex_);
    auto found = cache_.find(tenant_id);
    if (found != cache_.end() && found->second.second > now) return found->second.first;
  }
  bool has = false;
  try {
    has = repository_.has_enabled_endpoints(tenant_id);
  } catch (const std::exception& e) {
    failures_.inc();
    log_->warn("webhook endpoints of tenant {} unreadable: {}", tenant_id, e.what());
    return false;
  }
  if (ttl_.count() > 0) {
    std::lock_guard lock(mutex_);
    if (cache_.size() >= max_cached_) cache_.clear();
    cache_[tenant_id] = {has, now + ttl_.count() * 1000};
  }
  return has;
}

void WebhookEnqueuer::enqueue(std::vector<WebhookEventRow> rows) {
  if (rows.empty()) return;
  {
    std::unique_lock lock(queue_mutex_);
    if (running_ && !stopping_) {
      std::size_t dropped = 0;
      for (auto& row : rows) {
        if (queue_.size() >= max_queued_) {
          ++dropped;
          continue;
        }
        queue_.push_back(std::move(row));
      }
      lock.unlock();
      queue_cv_.notify_one();
      if (dropped > 0) {
        dropped_.inc(dropped);
        log_->warn("{} webhook event(s) dropped: WEBHOOK_ENQUEUE_MAX ({}) events wait", dropped,
                   max_queued_);
      }
      return;
    }
  }
  write(rows);
}

void WebhookEnqueuer::write(const std::vector<WebhookEventRow>& rows) {
  if (rows.empty()) return;
  try {
    auto queued = repository_.enqueue(rows);
    enqueued_.inc(static_cast<std::uint64_t>(queued));
    if (queued > 0 && on_queued_) on_queued_();
  } catch (const std::exception& e) {
    failures_.inc(rows.size());
    log_->warn("{} webhook event(s) not queued: {}", rows.size(), e.what());
  }
}

void WebhookEnqueuer::messages_committed(const std::vector<CommittedMessage>& messages) {
  std::vector<WebhookEventRow> rows;
  for (const auto& [conversation, message] : messages) {
    if (!message->event().empty()) continue;  // membership and edit events are no messages
    if (!wanted(conversation->tenant_id())) continue;
    if (message->seq() == 1 && inbox_channel(conversation->channel())) {
      rows.push_back(WebhookEventRow{conversation->tenant_id(), kWebhookEventConversationCreated,
                                     conversation_created_payload(*conversation)});
    }
    rows.push_back(WebhookEventRow{conversation->tenant_id(), kWebhookEventMessageCreated,
                                   message_created_payload(*conversation, *message)});
  }
  enqueue(std::move(rows));
}

void WebhookEnqueuer::conversation_created(const chat::v1::Conversation& conversation,
                                           const chat::v1::Message* greeting) {
  if (conversation.channel() == "room" || !wanted(conversation.tenant_id())) return;
  // An inbox channel's conversation.created goes out with its seq-1 message (messages_committed),
  // unless seq 1 is this greeting.
  const bool announce = !inbox_channel(conversation.channel()) || greeting != nullptr;
  std::vector<WebhookEventRow> rows;
  if (announce) {
    rows.push_back(WebhookEventRow{conversation.tenant_id(), kWebhookEventConversationCreated,
                                   conversation_created_payload(conversation)});
  }
  if (greeting) {
    rows.push_back(WebhookEventRow{conversation.tenant_id(), kWebhookEventMessageCreated,
                                   message_created_payload(conversation, *greeting)});
  }
  enqueue(std::move(rows));
}

void WebhookEnqueuer::handoff_requested(const chat::v1::Conversation& conversation) {
  if (!wanted(conversation.tenant_id())) return;
  enqueue({WebhookEventRow{conversation.tenant_id(), kWebhookEventHandoffRequested,
                           handoff_requested_payload(conversation, clock_())}});
}

}  // namespace botfactory::channel
