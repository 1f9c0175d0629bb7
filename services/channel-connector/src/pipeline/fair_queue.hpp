#pragma once
// Bounded per-key FIFO queues served round-robin across keys (the pipeline keys by tenant), with
// a cap on running jobs per key. A plain data structure: no threads, no locks, no I/O.

#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace botfactory::channel {

/// Bounds of a FairQueue. A value of 0 is read as 1 (key_burst_running: as key_running).
struct FairQueueLimits {
  /// Jobs waiting in all keys together.
  std::size_t total_capacity = 1000;
  /// Jobs waiting for one key.
  std::size_t key_capacity = 100;
  /// Jobs of one key running at once (taken by pop() and not yet done()): its fair share.
  std::size_t key_running = 2;
  /// Jobs of one key running at once while no key under its fair share is waiting (borrowed
  /// idle capacity); read as key_running when smaller (0, the default: no borrowing).
  std::size_t key_burst_running = 0;
};

/// Round-robin scheduling over per-key queues (deficit round robin with equal quanta: every job
/// costs one turn). A key is *ready* when it has a waiting job and fewer than key_running running.
/// Ready keys form a ring; pop() takes the head job of the first key in the ring and moves that
/// key to the back, and a key becoming ready joins at the back. Hence, with n keys ready, a
/// newly queued job of a key that has nothing else waiting is returned by one of the next n
/// pop() calls, however many jobs the other keys hold (the bound the unit tests check).
/// Work-conserving: a key at its fair share (key_running) but under key_burst_running is a
/// *borrower*; pop() serves borrowers (round-robin among them) only when no ready key waits,
/// so borrowing never delays a key under its share by more than the jobs already running.
/// Every operation is O(1) amortized. Not thread-safe: the owner locks.
class FairQueue {
 public:
  using Job = std::function<void()>;

  /// Why push() refused a job.
  enum class Refusal { kNone, kKeyFull, kFull };

  /// A job handed out by pop(): run it, then call done(key).
  struct Taken {
    std::string key;
    Job job;
  };

  explicit FairQueue(FairQueueLimits limits);

  /// Queues `job` under `key` (any string; "" is a key like any other). kNone when queued,
  /// kKeyFull when `key` already has key_capacity jobs waiting, kFull when total_capacity jobs
  /// wait in all keys.
  Refusal push(const std::string& key, Job job);
  /// The next job in round-robin order, counted as running for its key; nullopt when no key is
  /// ready (nothing waits, or every waiting key is at its running cap).
  std::optional<Taken> pop();
  /// Marks one running job of `key` finished (the key may become ready again).
  void done(const std::string& key);
  /// Drops every waiting job; returns how many were dropped. Running counts stay.
  std::size_t clear();

  /// Jobs waiting in all keys.
  std::size_t queued() const { return queued_; }
  /// Jobs waiting under `key`.
  std::size_t queued(const std::string& key) const;
  /// Keys with a waiting or running job.
  std::size_t keys() const { return keys_.size(); }
  /// True when pop() would return a job.
  bool has_ready() const { return !ring_.empty() || !burst_ring_.empty(); }
  /// Jobs of `key` taken by pop() and not yet done().
  std::size_t running(const std::string& key) const;
  const FairQueueLimits& limits() const { return limits_; }

 private:
  struct KeyState {
    std::deque<Job> waiting;
    std::size_t running = 0;
    bool in_ring = false;
    bool in_burst = false;
    std::list<std::string>::iterator burst_at;  // valid while in_burst
  };
  /// Puts `key` at the back of the ring when it is ready and not there yet, or of the borrowers'
  /// ring when it is at its share but under the burst cap (leaving that ring when it is ready).
  void maybe_ring(const std::string& key, KeyState& state);
  void leave_burst(KeyState& state);
  /// Forgets `key` when it has nothing waiting or running.
  void maybe_forget(const std::string& key, const KeyState& state);

  FairQueueLimits limits_;
  std::unordered_map<std::string, KeyState> keys_;
  std::deque<std::string> ring_;  // ready keys, each at most once
  std::list<std::string> burst_ring_;  // borrowers, each at most once, never also in ring_
  std::size_t queued_ = 0;
};

}  // namespace botfactory::channel
