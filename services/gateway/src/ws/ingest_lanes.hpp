#pragma once
// The rules of one socket's `message.send` traffic (issue 10), without I/O: admission against
// the gateway-wide and per-socket bounds, order per conversation, and the time a message may
// wait for its turn. WsSession does the I/O (the asynchronous PostMessage, the `error` and
// `message.ack` frames, pausing reads); docs/protocol.md "Ingest push-back" states the rules.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ws/ws_protocol.hpp"

namespace botfactory::gateway {

class IngestLimiter;

/// Per socket; single-threaded (the socket's I/O thread). Rules:
/// - Order: per conversation at most one PostMessage is on the wire; later messages of that
///   conversation wait in its lane, FIFO, and start when the one before was answered. So the
///   messages one socket sends to one conversation reach channel-connector in send order
///   (asynchronous calls started together may otherwise arrive in any order).
/// - Gateway bound: every admitted message (on the wire or waiting) holds an IngestLimiter
///   slot until it is answered or dropped; none free → refused (kRefused), nothing stored.
/// - Socket bound: paused() while `max_per_socket` (WS_MAX_IN_FLIGHT_PER_SOCKET) messages are
///   held: the socket is not read until one is answered. Frames already read when the bound is
///   reached are still admitted, so it can be passed by what one read carried.
/// - Wait bound: a message that waited in its lane longer than `max_queue_wait`
///   (INGEST_MAX_QUEUE_WAIT_MS) is refused before its call starts (finished() or expire()),
///   nothing stored; the ones behind it keep their order.
/// Metrics (Prometheus): gateway_ingest_queue_depth (gauge, messages waiting in lanes),
/// gateway_ingest_queue_wait_seconds (histogram, admission to call start),
/// gateway_ingest_rejected_total{reason="queue_wait"}, gateway_ingest_reads_paused_total.
class IngestLanes {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Verdict {
    kStart,    // call PostMessage for the returned frame now
    kWaiting,  // kept: an earlier message of its conversation is on the wire
    kRefused,  // no slot (INGEST_MAX_IN_FLIGHT): answer unavailable, retry_after_ms()
  };
  struct Admission {
    Verdict verdict = Verdict::kRefused;
    ClientFrame frame;  // kStart / kRefused: the frame handed back; kWaiting: empty
  };
  /// What a change of the lanes asks the session to do, in this order.
  struct Outcome {
    std::vector<ClientFrame> refused;  // waited past the bound: answer unavailable
    std::vector<ClientFrame> start;    // call PostMessage for each now
  };

  /// `limiter` outlives this; `max_per_socket` >= 1; `max_queue_wait` >= 1 ms (raised).
  IngestLanes(IngestLimiter& limiter, std::size_t max_per_socket,
              std::chrono::milliseconds max_queue_wait);
  /// Gives back the slots still held (answers that never came back to this socket).
  ~IngestLanes();
  IngestLanes(const IngestLanes&) = delete;
  IngestLanes& operator=(const IngestLanes&) = delete;

  /// Admits a validated `message.send` of a conversation the socket joined, at `now`.
  Admission admit(ClientFrame frame, Clock::time_point now);

  /// The PostMessage of `conversation_id` started by this object was answered (any outcome):
  /// its slot is given back and the next message of the lane starts (those that waited past the
  /// bound are refused first).
  Outcome finished(const std::string& conversation_id, Clock::time_point now);

  /// Refuses every waiting message whose wait passed the bound at `now`.
  Outcome expire(Clock::time_point now);

  /// When the first waiting message passes the wait bound; nullopt when none waits.
  std::optional<Clock::time_point> next_expiry() const;

  /// Drops every waiting message (the socket is closing) and gives back their slots; calls on
  /// the wire keep theirs until finished().
  void clear();

  /// True while the socket holds `max_per_socket` or more messages: do not read it.
  bool paused() const { return held_ >= max_per_socket_; }
  /// Messages held: on the wire plus waiting.
  std::size_t held() const { return held_; }
  std::size_t max_per_socket() const { return max_per_socket_; }
  /// The `retry_after_ms` hint of a refusal (both reasons).
  std::int64_t retry_after_ms() const;

  /// Counts one pause of a socket's reads at the per-socket bound (the session pauses).
  static void count_read_pause();

 private:
  struct Waiting {
    ClientFrame frame;
    Clock::time_point admitted;
  };
  struct Lane {
    bool on_wire = false;
    std::deque<Waiting> waiting;
  };

  /// Drops the waiting messages of `lane` past the bound into `out.refused`, then starts the
  /// next one when none is on the wire.
  void advance(Lane& lane, Clock::time_point now, Outcome& out);
  void give_back(std::size_t n);

  IngestLimiter& limiter_;
  const std::size_t max_per_socket_;
  const std::chrono::milliseconds max_wait_;
  std::unordered_map<std::string, Lane> lanes_;
  std::size_t held_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace botfactory::gateway
