#pragma once
// Fan-out of chat events from Redis pub/sub to the local WebSocket sockets
// (docs/architecture.md "Chat data flow" 4–5): one Redis channel per conversation, subscribed
// while at least one local socket watches it; each payload is examined once and the same
// immutable frame is handed to every watcher. The hub also keeps each watched conversation's
// recent message.new frames, so a socket that fell behind catches up from memory.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ws/chat_frame.hpp"

namespace botfactory::redis {
class Subscriber;
}

namespace botfactory::gateway {

struct MembershipEnd;  // ws/room_frames.hpp

/// Something that receives the events of the conversations it watches (a WebSocket session).
/// Both calls come from the subscriber's strand and must only queue work (never block).
class ConversationWatcher {
 public:
  virtual ~ConversationWatcher() = default;
  /// A live event: `seq` > 0 for `message.new`, 0 for events without a seq (`message.delta`).
  /// `ended`: for a room's member.removed / member.left event, whose membership it ends (decided
  /// once per frame by the hub); null for every other frame.
  virtual void on_event(const ConversationId& conversation_id, const Frame& frame,
                        std::int64_t seq, const MembershipEnd* ended) = 0;
  /// Redis came back after a disconnect: re-fetch whatever may have been missed.
  virtual void on_resync() = 0;
};

/// What a payload is, found without a full parse on the common path.
struct EventInfo {
  bool valid = false;   // false: not a JSON object with a string `type` (dropped)
  std::int64_t seq = 0;  // `message.new`: its seq (> 0); other types: 0
};

/// Classifies a Redis payload: `message.new` frames as chatwire writes them
/// ({"type":"message.new","conversation_id":"…","seq":N,…}) by a prefix scan, anything else
/// with a JSON parse. A `message.new` without a positive integer seq is invalid.
EventInfo classify_event(std::string_view payload);

/// How many recent message.new frames the hub keeps per watched conversation: at most
/// `max_frames`, none older than `max_age`. Memory is bounded by the message rate × max_age, not
/// by the number of conversations.
struct RecentWindow {
  std::size_t max_frames = 1024;
  std::chrono::milliseconds max_age{30000};
};

/// Thread-safe.
class FanoutHub {
 public:
  using Clock = std::chrono::steady_clock;

  /// Installs itself as `subscriber`'s message, subscribed and reconnect handler. The
  /// subscriber must outlive the hub, and be started after this constructor.
  explicit FanoutHub(redis::Subscriber& subscriber, RecentWindow window = {});
  FanoutHub(const FanoutHub&) = delete;
  FanoutHub& operator=(const FanoutHub&) = delete;

  /// Adds `watcher` to `conversation_id` (SUBSCRIBE for the first one) and calls `ready` once
  /// Redis has confirmed the subscription, so that a history read after `ready` cannot miss a
  /// message published in between. When Redis is disconnected `ready` is called at once (the
  /// reconnect re-sync covers the gap). `ready` may run on the caller's thread or the
  /// subscriber's strand.
  void watch(const std::string& conversation_id, const std::shared_ptr<ConversationWatcher>& watcher,
             std::function<void()> ready);
  /// Removes `watcher` (UNSUBSCRIBE after the last one). Idempotent.
  void unwatch(const std::string& conversation_id, const ConversationWatcher* watcher);

  /// Appends to `out` the kept message.new frames of `conversation_id` after `since_seq`, in seq
  /// order, at most `max`. Returns false when memory cannot prove that is everything the
  /// conversation has after `since_seq` (not watched, since_seq + 1 already evicted, or a seq
  /// missing in between): the caller reads storage instead. True with nothing appended: no
  /// newer message was published while watched.
  bool recent_since(std::string_view conversation_id, std::int64_t since_seq, std::size_t max,
                    std::vector<SeqFrame>& out) const;

  /// Drops kept frames older than the window's max_age (called periodically).
  void expire(Clock::time_point now);

  /// Subscriber handlers (public for tests).
  void handle_message(std::string_view channel, std::string_view payload);
  void handle_subscribed(std::string_view channel);
  void handle_reconnect();

  /// Detaches from the subscriber: later watch()/unwatch() calls no longer reach it (for
  /// teardown, before the subscriber is destroyed).
  void stop();

  /// Conversations with at least one local watcher.
  std::size_t conversation_count() const;

 private:
  struct Watch {
    const ConversationWatcher* key;
    std::weak_ptr<ConversationWatcher> watcher;
  };
  struct RecentFrame {
    std::int64_t seq;
    Frame frame;
    Clock::time_point at;
  };
  struct Entry {
    ConversationId id;
    std::vector<Watch> watchers;
    bool confirmed = false;
    std::vector<std::function<void()>> waiting;
    // Kept frames in ascending seq: recent[recent_head, end) (a vector, not a deque, so an idle
    // conversation holds no block). evicted_seq: the highest seq dropped from it.
    std::vector<RecentFrame> recent;
    std::size_t recent_head = 0;
    std::int64_t evicted_seq = 0;
  };

  /// Drops the oldest kept frames of `entry` beyond the window. Call with mutex_ held.
  void trim(Entry& entry, Clock::time_point now) const;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  redis::Subscriber& subscriber_;
  RecentWindow window_;
  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;  // by conversation id
};

}  // namespace botfactory::gateway
