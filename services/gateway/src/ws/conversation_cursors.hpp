#pragma once
// Where one WebSocket stands in each conversation it joined, and the rules that keep its
// message.new stream ordered and gap-free (docs/protocol.md "Resume, ordering and delivery
// guarantees"): replay from storage on join, live frames in seq order, gap fill, re-sync after
// a Redis reconnect, and catching up after falling behind. No sockets and no threads here: the
// session supplies a CursorPort, so every rule is unit-tested without I/O.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ws/chat_frame.hpp"

namespace botfactory::gateway {

/// What the rules need from the socket and the gateway.
class CursorPort {
 public:
  /// Things worth counting in metrics.
  enum class Event { kLagging, kDeltaDropped, kCatchupMemoryFrames, kCatchupStorage };

  virtual ~CursorPort() = default;
  /// Queues `frame` for the client.
  virtual void send(const Frame& frame) = 0;
  /// True when a live frame of `bytes` may be queued now (within the socket's budget).
  virtual bool live_fits(std::size_t bytes) const = 0;
  /// True when a replayed frame of `bytes` may be queued now (below the hard cap).
  virtual bool replay_fits(std::size_t bytes) const = 0;
  /// True when the queue has drained enough (half the budget) to continue a replay or a
  /// catch-up.
  virtual bool drained() const = 0;
  /// Starts reading the messages of `conversation_id` after `since_seq` from storage. The
  /// answer comes back later through ConversationCursors::page() or fetch_failed() with the
  /// same `generation`. At most one read per socket is in flight.
  virtual void fetch(const std::string& conversation_id, std::int64_t since_seq,
                     std::uint64_t generation) = 0;
  /// Appends the recent frames kept in memory after `since_seq` (FanoutHub::recent_since()).
  virtual bool recent_since(const std::string& conversation_id, std::int64_t since_seq,
                            std::size_t max, std::vector<SeqFrame>& out) = 0;
  /// Encodes `conversation.joined` {conversation_id, last_seq}.
  virtual Frame joined_frame(const std::string& conversation_id, std::int64_t last_seq) = 0;
  /// Counts `event` (`n` frames for kCatchupMemoryFrames).
  virtual void count(Event /*event*/, std::size_t /*n*/) {}
};

/// The joined conversations of one socket (at most `max_conversations`).
///
/// Per conversation `last_seq` is the highest seq sent. While a replay (join, re-sync or a gap)
/// is in flight, live message.new frames are buffered and sent after it, skipping what the
/// replay covered; afterwards frames with seq <= last_seq are dropped, and a gap (seq >
/// last_seq + 1, a lost publish) triggers a replay from last_seq.
///
/// Falling behind: a live frame that does not fit (CursorPort::live_fits) or a replay buffer
/// of `max_buffered` frames marks the conversation lagging: its live frames are skipped
/// (committed, nothing is lost) and, once the queue drained, sent from the hub's recent frames
/// or, when those no longer cover the gap, re-read from storage in pages. Ephemeral frames
/// (seq 0, message.delta) that do not fit are dropped. So memory stays within the budget
/// whatever the rate of the conversation.
class ConversationCursors {
 public:
  ConversationCursors(CursorPort& port, std::size_t max_conversations, std::size_t max_buffered)
      : port_(port), max_conversations_(max_conversations), max_buffered_(max_buffered) {}

  /// True when `conversation_id` is joined.
  bool contains(std::string_view conversation_id) const;
  /// True when joining `conversation_id` is refused because the socket watches the maximum.
  bool full_for(std::string_view conversation_id) const;
  /// Number of joined conversations.
  std::size_t size() const { return conversations_.size(); }
  /// Bytes of live frames buffered while replays are in flight.
  std::size_t buffered_bytes() const;

  /// Starts (or restarts) `conversation_id` from `since_seq` after an authorized join. Live
  /// frames are buffered from now on; call ready() with the returned generation once the
  /// subscription is confirmed, which reads the history.
  std::uint64_t join(const std::string& conversation_id, std::int64_t since_seq);
  /// The live subscription of join() `generation` is confirmed: read the history.
  void ready(const std::string& conversation_id, std::uint64_t generation);
  /// Forgets `conversation_id`. False when it was not joined.
  bool leave(std::string_view conversation_id);
  /// Forgets every conversation; returns their ids.
  std::vector<std::string> clear();

  /// A history page of fetch() `generation` arrived, in seq order; `more` when the page was
  /// full. Sends what fits, announces conversation.joined after a join's last page, then the
  /// buffered live frames.
  void page(const std::string& conversation_id, std::uint64_t generation,
            std::vector<SeqFrame>& frames, bool more);
  /// fetch() `generation` failed: the conversation is dropped (the client may join again with
  /// since_seq). True when that happened (the caller reports the error and unsubscribes).
  bool fetch_failed(const std::string& conversation_id, std::uint64_t generation);

  /// A live event: `seq` > 0 for message.new, 0 for message.delta.
  void live(std::string_view conversation_id, const Frame& frame, std::int64_t seq);
  /// Redis reconnected: replay every conversation from its last_seq.
  void resync();
  /// The outbound queue drained: continue paused replays and catch-ups.
  void drained();

 private:
  struct Conversation {
    std::string id;
    std::int64_t last_seq = 0;     // highest seq sent to the client
    bool replaying = false;        // a replay is in progress; live frames go to `buffered`
    bool replay_again = false;     // a re-sync was asked for while replaying
    bool announce = false;         // send conversation.joined when the replay completes
    bool paused = false;           // the next page waits (queue full or another read in flight)
    bool lagging = false;          // fell behind: live frames skipped until caught up
    std::uint64_t generation = 0;  // identifies the current replay (stale pages are ignored)
    std::vector<SeqFrame> buffered;
    std::size_t buffered_bytes = 0;
  };

  Conversation* find(std::string_view conversation_id);
  const Conversation* find(std::string_view conversation_id) const;
  void start_replay(Conversation& c, bool announce);
  void fetch_page(Conversation& c);
  void finish_replay(Conversation& c);
  void fall_behind(Conversation& c);
  void catch_up(Conversation& c);
  void clear_buffer(Conversation& c);

  CursorPort& port_;
  std::size_t max_conversations_;
  std::size_t max_buffered_;
  std::vector<Conversation> conversations_;
  bool fetching_ = false;  // a storage read is in flight (one per socket)
};

}  // namespace botfactory::gateway
