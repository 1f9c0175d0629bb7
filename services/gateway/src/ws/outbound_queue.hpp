#pragma once
// The frames one WebSocket owes its client, counted against the socket's byte budget
// (WS_SEND_BUDGET_BYTES, WS_SEND_HARD_CAP_BYTES). No socket here: the session takes batches out,
// writes them, and reports them written; so the bound is unit-tested without I/O.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ws/chat_frame.hpp"
#include "ws/ws_framing.hpp"

namespace botfactory::gateway {

/// One queued frame: a shared payload (live frames are shared by every recipient) and its
/// opcode.
struct OutFrame {
  Frame payload;
  WsOpcode opcode = WsOpcode::kText;
};

/// The outbound queue of one socket: frames waiting, then the batch being written. Every frame
/// is counted while it is held: its payload bytes plus kFrameOverhead (the queue slot, the shared
/// payload's allocation and the frame header), so floods of empty frames count too.
///
/// Bounds: push() refuses a frame that would take the count past `hard_cap` (the caller closes
/// the socket with 1008); callers check fits() against `budget` before queueing what they may
/// skip or postpone (live chat frames, replay pages) and stop reading from the socket while
/// over_budget(). Pongs coalesce: at most one waits (RFC 6455 section 5.5.3 lets an endpoint
/// answer only the most recent ping). Not thread-safe (one I/O thread).
class OutboundQueue {
 public:
  /// Bytes counted per frame on top of its payload.
  static constexpr std::size_t kFrameOverhead = 64;

  /// `budget` <= `hard_cap`, both in bytes.
  OutboundQueue(std::size_t budget, std::size_t hard_cap) : budget_(budget), hard_cap_(hard_cap) {}

  /// Queues a frame. False (nothing queued) when it would take the count past the hard cap, or
  /// after close().
  bool push(Frame payload, WsOpcode opcode = WsOpcode::kText);
  /// Queues a pong with `payload` (at most 125 bytes), replacing a pong that is still waiting.
  /// False as for push().
  bool push_pong(std::string payload);
  /// Drops every waiting frame (not the batch in flight) and queues the close frame with
  /// `payload` (RFC 6455 section 5.5.1); later pushes are refused. Never refused itself.
  void close(std::string payload);

  /// True when a frame with `payload_bytes` fits under the budget now.
  bool fits(std::size_t payload_bytes) const { return bytes_ + cost(payload_bytes) <= budget_; }
  /// True when the count is over the budget (stop reading from the socket).
  bool over_budget() const { return bytes_ > budget_; }
  /// True when the count is at most half the budget (resume reading, replays, catch-ups).
  bool drained() const { return bytes_ <= budget_ / 2; }
  /// Counted bytes held: waiting frames and the batch in flight.
  std::size_t bytes() const { return bytes_; }
  /// Frames held: waiting and in flight.
  std::size_t frames() const { return waiting_.size() + (sending_.size() - batch_begin_); }
  /// The highest count this queue ever reached.
  std::size_t peak() const { return peak_; }
  std::size_t budget() const { return budget_; }
  std::size_t hard_cap() const { return hard_cap_; }
  /// True once close() was called.
  bool closed() const { return closed_; }

  /// The next batch to write, at most `max` frames in queue order; empty when a batch is
  /// already in flight or nothing waits. Frames stay counted until batch_written().
  std::span<const OutFrame> take_batch(std::size_t max);
  /// True while a batch taken by take_batch() is not yet reported written.
  bool in_flight() const { return batch_end_ > batch_begin_; }
  /// The batch in flight was written (or failed): releases and uncounts it.
  void batch_written();
  /// True when nothing waits and nothing is in flight.
  bool empty() const { return waiting_.empty() && !in_flight() && batch_begin_ >= sending_.size(); }

  /// Counted size of a frame with `payload_bytes`.
  static std::size_t cost(std::size_t payload_bytes) { return payload_bytes + kFrameOverhead; }

 private:
  void count(std::ptrdiff_t delta);

  std::size_t budget_;
  std::size_t hard_cap_;
  std::size_t bytes_ = 0;
  std::size_t peak_ = 0;
  std::vector<OutFrame> waiting_;
  std::vector<OutFrame> sending_;  // sending_[batch_begin_, batch_end_) is in flight
  std::size_t batch_begin_ = 0;
  std::size_t batch_end_ = 0;
  std::size_t waiting_pong_ = kNone;  // index in waiting_ of the pong not yet taken
  bool closed_ = false;

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
};

}  // namespace botfactory::gateway
