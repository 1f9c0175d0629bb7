#pragma once
// hooks: turns committed chat events into queued webhook deliveries (ChatEventSink). The cost on
// the chat path (the committer's thread, before the messages are acknowledged): one hash-map
// lookup per tenant of a batch (a cached "has enabled endpoints", refreshed after
// WEBHOOK_ENDPOINT_CACHE_MS or at once on this replica's own endpoint changes); for a tenant
// with endpoints also the JSON payload and a push onto a bounded in-memory queue. A writer
// thread drains that queue with one INSERT … SELECT per ≤ 500 events. The row is written within
// milliseconds after the event's commit: a crash in between, or a full queue
// (WEBHOOK_ENQUEUE_MAX, counted in webhook_enqueue_dropped_total), loses the event (the one
// gap); from the row on, delivery is at-least-once (webhook_dispatcher.hpp).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <thread>
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
  /// are cached (the map is cleared when full); at most `max_queued` events wait for the writer
  /// (more are dropped and counted). `repository` must outlive it. Until start(), events are
  /// written on the calling thread.
  WebhookEnqueuer(WebhookRepository& repository, metrics::Registry& registry,
                  std::chrono::milliseconds cache_ttl = std::chrono::milliseconds(5000),
                  std::size_t max_cached = 100000, Clock clock = {}, std::size_t max_queued = 10000);
  /// Stops the writer after it wrote what is queued.
  ~WebhookEnqueuer() override;
  WebhookEnqueuer(const WebhookEnqueuer&) = delete;
  WebhookEnqueuer& operator=(const WebhookEnqueuer&) = delete;

  /// Starts the writer thread.
  void start();
  /// Writes what is queued, then stops the writer (later events are written inline). Idempotent.
  void stop();

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
  /// Hands `rows` to the writer (or writes them inline when it is not running).
  void enqueue(std::vector<WebhookEventRow> rows);
  /// Writes `rows` (≤ one INSERT); failures logged and counted.
  void write(const std::vector<WebhookEventRow>& rows);
  void run();

  WebhookRepository& repository_;
  std::chrono::milliseconds ttl_;
  std::size_t max_cached_;
  Clock clock_;
  std::shared_ptr<spdlog::logger> log_;
  metrics::Counter& enqueued_;
  metrics::Counter& failures_;
  metrics::Counter& dropped_;
  std::size_t max_queued_;
  std::function<void()> on_queued_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<bool, std::int64_t>> cache_;  // tenant → (has, expiry µs)
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<WebhookEventRow> queue_;  // guarded by queue_mutex_
  bool running_ = false;               // guarded by queue_mutex_
  bool stopping_ = false;              // guarded by queue_mutex_
  std::thread writer_;
};

}  // namespace botfactory::channel
