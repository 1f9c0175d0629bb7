#pragma once
// tidy: deletes from the attachment store the files whose attachment row is gone (their
// conversation or room deleted, a failed or duplicate upload) and the uploads that never got a
// message, in bounded batches, every ATTACHMENT_SWEEP_INTERVAL_MS. Safe with several
// channel-connector replicas: every batch takes its queue rows FOR UPDATE SKIP LOCKED
// (attachment_sweep_repository.hpp), so two replicas never delete the same file twice nor give
// its bytes back twice. docs/architecture.md "Attachment storage quota and sweeper".

#include <chrono>
#include <cstdint>

#include "channels/lease_heartbeat.hpp"

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

class AttachmentStore;
class AttachmentSweepRepository;

/// The sweeper's bounds.
struct SweepSettings {
  /// How often a pass runs (ATTACHMENT_SWEEP_INTERVAL_MS, 1000..86400000; 0 = never).
  std::chrono::milliseconds interval{60000};
  /// Files per batch, one transaction each (ATTACHMENT_SWEEP_BATCH, 1..10000).
  int batch = 100;
  /// Batches per pass at most: a pass ends early when a batch comes back short.
  int max_batches = 50;
  /// An upload whose message never committed is an orphan after this long.
  std::chrono::milliseconds orphan_age{3600000};
};

/// Thread-safe; start() runs passes on its own thread until stop() / destruction.
class AttachmentSweeper {
 public:
  /// `rows` and `store` must outlive the sweeper.
  AttachmentSweeper(AttachmentSweepRepository& rows, AttachmentStore& store, SweepSettings settings,
                    metrics::Registry& registry);
  ~AttachmentSweeper();

  void start();
  void stop();

  /// One pass on the caller's thread: one orphan batch queued, then queued files removed batch
  /// by batch (at most max_batches). Returns the files removed. Throws pg::Error.
  int run_once();

 private:
  AttachmentSweepRepository& rows_;
  AttachmentStore& store_;
  SweepSettings settings_;
  metrics::Counter& swept_;
  LeaseHeartbeat timer_;  // the generic "every N ms" thread of lease_heartbeat.hpp
};

}  // namespace botfactory::channel
