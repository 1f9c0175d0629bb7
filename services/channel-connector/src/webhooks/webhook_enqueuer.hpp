#pragma once
// hooks: turns committed chat events into queued webhook deliveries (ChatEventSink). The cost on
// the chat path: one hash-map lookup per tenant of a batch (a cached "has enabled endpoints",
// refreshed after WEBHOOK_ENDPOINT_CACHE_MS or at once on this replica's own endpoint changes);
// only a tenant with endpoints pays one INSERT … SELECT per committed batch. The row is written
// after the event's commit: a crash between the two loses the event (the one gap); from the row
// on, delivery is at-least-once (webhook_dispatcher.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "chat/chat_event_sink.hpp"
#include "webhooks/webhook_repository.hpp"

namespace spdlog {
class logger;
}
namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

/// The ChatEventSink of outgoing webhooks. Thread-safe; never throws from the sink calls
/// (storage failures are logged and counted in webhook_enqueue_failures_total).
class WebhookEnqueuer final : public ChatEventSink {
 public:
  /// Microseconds since the Unix epoch (injected for tests).
  using Clock = std::function<std::int64_t()>;

  /// `cache_ttl` 0 = no cache (every batch asks the database). At most `max_cached` tenants
  /// are cached (the map is cleared when full). `repository` must outlive it.
  WebhookEnqueuer(WebhookRepository& repository, metrics::Registry& registry,
                  std::chrono::milliseconds cache_ttl = std::chrono::milliseconds(5000),
                  std::size_t max_cached = 100000, Clock clock = {});

  void messages_committed(const std::vector<CommittedMessage>& messages) override;
  void conversation_created(const chat::v1::Conversation& conversation,
                            const chat::v1::Message* greeting) override;
  void handoff_requested(const chat::v1::Conversation& conversation) override;

  /// Called after rows were queued (wakes the dispatcher). Set before serving.
  void set_queued_hook(std::function<void()> hook) { on_queued_ = std::move(hook); }

  /// Forgets the cached answer of `tenant_id` (its endpoints changed on this replica).
  void invalidate(const std::string& tenant_id);

 private:
  /// Whether `tenant_id` has an enabled endpoint (cached); false when the database fails.
  bool wanted(const std::string& tenant_id);
  void enqueue(std::vector<WebhookEventRow> rows);

  WebhookRepository& repository_;
  std::chrono::milliseconds ttl_;
  std::size_t max_cached_;
  Clock clock_;
  std::shared_ptr<spdlog::logger> log_;
  metrics::Counter& enqueued_;
  metrics::Counter& failures_;
  std::function<void()> on_queued_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<bool, std::int64_t>> cache_;  // tenant → (has, expiry µs)
};

}  // namespace botfactory::channel
