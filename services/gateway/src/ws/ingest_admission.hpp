#pragma once
// Push-back on the chat ingest path (issue 10): a `message.send` waits for a gateway worker in
// the bounded WorkQueue; this class decides whether it may still go to channel-connector and
// keeps the ingest metrics. A message is refused with `unavailable` + a retry hint when the queue
// is full, or when it waited longer than INGEST_MAX_QUEUE_WAIT_MS (then it is refused before the
// gRPC call, so nothing is stored): the sender never waits seconds without hearing why.

#include <chrono>
#include <cstdint>

namespace botfactory::gateway {

/// Stateless apart from process-wide metrics (Prometheus, /metrics):
/// - gateway_ingest_queue_depth (gauge): message.send jobs waiting for a worker;
/// - gateway_ingest_rejected_total{reason="queue_full"|"queue_wait"} (counter);
/// - gateway_ingest_queue_wait_seconds (histogram): time from queueing to a worker taking it.
/// Thread-safe (atomics only). Times are std::chrono::steady_clock, passed in so tests need no
/// sleeps.
class IngestAdmission {
 public:
  using Clock = std::chrono::steady_clock;

  /// `max_queue_wait`: INGEST_MAX_QUEUE_WAIT_MS (>= 1 ms; smaller values are raised to 1 ms).
  explicit IngestAdmission(std::chrono::milliseconds max_queue_wait);

  /// Call right before WorkQueue::try_submit; counts the message as waiting. Returns `now`, the
  /// time to hand to start() or refused_full().
  Clock::time_point queued(Clock::time_point now = Clock::now()) const;

  /// try_submit refused the job (GATEWAY_WORKER_QUEUE full): no longer waiting; counted as
  /// rejected with reason "queue_full".
  void refused_full() const;

  /// A worker took the job queued at `queued_at`: no longer waiting; the wait is observed.
  /// Returns false (counted as rejected with reason "queue_wait") when the wait exceeded the
  /// bound: the caller must then answer `unavailable` without calling PostMessage.
  [[nodiscard]] bool start(Clock::time_point queued_at, Clock::time_point now = Clock::now()) const;

  /// The `retry_after_ms` hint of an `unavailable` answer: the wait bound, after which every
  /// message now queued has either started or been refused.
  std::int64_t retry_after_ms() const { return max_wait_.count(); }

  std::chrono::milliseconds max_queue_wait() const { return max_wait_; }

 private:
  std::chrono::milliseconds max_wait_;
};

}  // namespace botfactory::gateway
