#pragma once
// The gateway-wide bound on chat messages in flight (issue 10): every `message.send` a socket
// admitted and that has not been answered yet holds one slot, whether its PostMessage is on the
// wire or waits behind an earlier message of its conversation (IngestLanes).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>

namespace botfactory::gateway {

/// At most `capacity` (INGEST_MAX_IN_FLIGHT) slots held at once across every socket of the
/// gateway; a message that finds none is answered `unavailable` with `retry_after_ms`
/// (docs/protocol.md, "Ingest push-back"). Metrics (Prometheus, /metrics):
/// - gateway_ingest_in_flight (gauge): slots held;
/// - gateway_ingest_rejected_total{reason="in_flight"} (counter): refused at the cap.
/// Thread-safe (atomics only): slots are taken on the I/O thread and may be given back from any.
class IngestLimiter {
 public:
  /// `capacity` >= 1 (0 is raised to 1); `retry_after`: the hint sent with a refusal (ms, >= 1);
  /// `max_calls`: INGEST_MAX_CALLS, PostMessage calls on the wire at once (0 = no bound).
  IngestLimiter(std::size_t capacity, std::chrono::milliseconds retry_after,
                std::size_t max_calls = 0);
  IngestLimiter(const IngestLimiter&) = delete;
  IngestLimiter& operator=(const IngestLimiter&) = delete;

  /// Takes a slot and returns true, or returns false (counted as rejected) when all are held.
  [[nodiscard]] bool try_acquire();
  /// Gives back one slot taken by try_acquire().
  void release();

  std::size_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }
  std::size_t capacity() const { return capacity_; }
  /// The `retry_after_ms` hint of an `unavailable` answer.
  std::int64_t retry_after_ms() const { return retry_after_.count(); }

  /// The I/O thread only. Runs `start` (which starts one PostMessage) now when fewer than
  /// `max_calls` are on the wire, else queues it, FIFO across sockets, until call_done() hands it
  /// a call's place. The queue holds only messages that hold a slot, so it is bounded by
  /// `capacity`. Keeps channel-connector from getting more concurrent appends than its
  /// connection pool serves (DB_POOL_SIZE; beyond it, waiters for a connection starve unfairly).
  /// Gauge gateway_ingest_calls_queued.
  void start_call(std::function<void()> start);
  /// The I/O thread only: a call started through start_call() was answered.
  void call_done();
  /// harden: counts a post skipped at its turn because its client had left (its socket closed,
  /// or the REST client's connection gone): gateway_ingest_rejected_total{reason="client_gone"}.
  void note_client_gone();
  std::size_t calls_on_wire() const { return on_wire_; }

  /// Waits (sleeping in short steps) until no slot is held or `timeout` passed; true when none
  /// is. For shutdown: the answers of calls in flight must come back before the I/O context and
  /// the stubs go away.
  bool wait_idle(std::chrono::milliseconds timeout) const;

 private:
  const std::size_t capacity_;
  const std::chrono::milliseconds retry_after_;
  std::atomic<std::size_t> in_flight_{0};
  const std::size_t max_calls_;
  std::size_t on_wire_ = 0;                       // I/O thread
  std::deque<std::function<void()>> call_queue_;  // I/O thread
};

}  // namespace botfactory::gateway
