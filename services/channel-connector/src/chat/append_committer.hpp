#pragma once
// Group commit of chat messages (issue 10): concurrent PostMessage calls queue here; the caller
// that finds its lane idle becomes the leader and stores what queued in one transaction
// (ChatStore::append_batch), hands the committed batch to a sink (one Redis publish pipeline),
// answers each caller of the batch, and passes the lead to the first caller that queued
// meanwhile (leader/follower group commit: no committer thread, no hand-off when idle).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chat/chat_store.hpp"

namespace botfactory::metrics {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

/// The committer's bounds.
struct CommitSettings {
  /// Messages in one transaction at most (CHAT_COMMIT_MAX_BATCH, 1..1024).
  std::size_t max_batch = 64;
  /// Messages waiting for the committer at most; one more is refused (CHAT_COMMIT_MAX_QUEUE,
  /// 1..100000).
  std::size_t max_queue = 1024;
  /// How long the committer waits for a batch to fill before committing a partial one
  /// (CHAT_COMMIT_MAX_WAIT_US, 0..100000 µs; 0 = natural batching only: the next batch is
  /// what queued while the previous one committed).
  std::chrono::microseconds max_wait{0};
  /// Lanes committing at once (CHAT_COMMIT_LANES, 1..16), each with its own queue and at most
  /// one transaction in flight; a conversation always goes to the same lane (hash of its id),
  /// so its messages keep their order. max_queue is split evenly over the lanes (rounded up).
  std::size_t lanes = 2;
};

/// Called on the leader's thread with each batch after its transaction, before any of its
/// callers is answered and before the lane's next batch starts: outcomes[i] belongs to
/// messages[i]. A lane's batches arrive in commit order, so what it publishes per conversation
/// is in seq order.
/// What it throws is logged and ignored (the messages are committed).
using CommittedSink =
    std::function<void(const std::vector<const NewMessage*>& messages,
                       const std::vector<AppendOutcome>& outcomes)>;

/// `lanes` bounded FIFO queues, each committed by one leader at a time. Thread-safe. Metrics in `registry`:
/// chat_commit_batch_size (histogram, messages per transaction), chat_commit_queue_depth
/// (gauge), chat_commit_queue_wait_seconds (histogram, queued → taken by the committer),
/// chat_commit_seconds (histogram, one batch: transaction(s) + sink),
/// chat_commit_rejected_total{reason="queue_full"|"deadline"}, chat_commit_retried_rounds_total
/// (transactions run again after a failing message).
class AppendCommitter {
  struct Item;

 public:
  /// roomcore: one lane held exclusively by another writer of the seq stream (room membership
  /// events, edit / delete events, state changes). BasicLockable, so `std::lock_guard` holds
  /// it: lock() queues behind the lane's waiting messages and returns once every batch queued
  /// before it is committed AND published; until unlock() the lane commits nothing else, so
  /// what the holder commits and publishes meanwhile reaches Redis in seq order with the
  /// lane's messages (docs/architecture.md "Ordering and idempotency"). Not re-entrant; the
  /// holder must not append() to a conversation of the same lane.
  class Gate {
   public:
    Gate(AppendCommitter& owner, std::size_t lane);
    ~Gate();
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;
    /// Waits for the lane (see above). Throws nothing but std::system_error.
    void lock();
    /// Passes the lane on to what queued meanwhile.
    void unlock();

   private:
    AppendCommitter& owner_;
    std::size_t lane_;
    std::mutex holder_;              // one holder per lane at a time
    std::unique_ptr<Item> barrier_;  // the holder's place in the lane's queue
  };

  /// `store` and `registry` must outlive the committer.
  AppendCommitter(ChatStore& store, CommitSettings settings, metrics::Registry& registry,
                  CommittedSink sink);
  /// Stops taking new messages and waits until every lane's leader has finished (callers
  /// still queued are answered by the leaders' hand-offs before that).
  ~AppendCommitter();
  AppendCommitter(const AppendCommitter&) = delete;
  AppendCommitter& operator=(const AppendCommitter&) = delete;

  /// Queues `message` (it must stay valid until this returns) and blocks until its batch is
  /// committed and handed to the sink (committing it itself when the lane is idle or the lead
  /// is passed to it). Returns ChatStore::append_batch's answer for it
  /// (std::nullopt: unknown conversation or another tenant's). Throws rpc::StatusError
  /// UNAVAILABLE with a retry hint (RetryInfo, 1 s; message "chat store busy …") when
  /// its lane's share of max_queue already waits (nothing stored); common::CallAbandoned when the calling
  /// gRPC call's deadline (common/call_deadline.hpp) passed before its batch started
  /// (nothing stored); the message's own pg::Error when its statement failed.
  std::optional<AppendResult> append(const NewMessage& message);

  /// The gate of the lane `conversation_id` commits on (the same lane as its messages).
  Gate& gate(const std::string& conversation_id);

 private:
  struct Lane;
  /// Commits one batch from the head of `lane` (locked by `lock`; unlocked meanwhile),
  /// answers it and passes the lead on.
  void lead(Lane& lane, std::unique_lock<std::mutex>& lock);
  /// Under the lane's mutex: the head item is done; its successor (if any) gets the lead.
  void pass_lead(Lane& lane);
  Lane& lane_of(const std::string& conversation_id);
  void commit(std::vector<Item*>& batch);

  ChatStore& store_;
  CommitSettings settings_;
  CommittedSink sink_;
  metrics::Histogram& batch_size_;
  metrics::Gauge& queue_depth_;
  metrics::Histogram& queue_wait_;
  metrics::Histogram& commit_seconds_;
  metrics::Counter& rejected_full_;
  metrics::Counter& rejected_deadline_;
  metrics::Counter& retried_rounds_;
  std::size_t lane_queue_;  // max_queue per lane
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::unique_ptr<Gate>> gates_;  // one per lane
};

}  // namespace botfactory::channel
