#pragma once
// tidy: PostgreSQL access to chat.attachment_sweep (migration V095), the queue of stored files
// whose attachment row is gone, and the orphan pass that sends unlinked uploads there.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// One queued file (original and, for images, its thumbnail).
struct SweepItem {
  std::string tenant_id;
  std::string storage_key;
  std::string thumbnail_key;  // "" = none
  std::int64_t size_bytes = 0;
};

/// Thread-safe; pg::Error on database failures.
class AttachmentSweepRepository {
 public:
  explicit AttachmentSweepRepository(pg::Pool& pool);

  /// Deletes up to `limit` attachment rows that never got a message, or whose message is gone
  /// (message_id NULL), created more than `older_than` ago; the V095 trigger queues their files.
  /// Rows locked by another replica are skipped. Returns the rows deleted.
  int queue_orphans(int limit, std::chrono::milliseconds older_than);

  /// One batch in one transaction: takes up to `limit` queued files (FOR UPDATE SKIP LOCKED, so
  /// a second replica takes others), calls `remove_files` for each, and for those it returned
  /// without throwing deletes the queue row and subtracts size_bytes from the tenant's
  /// chat.tenant_storage total. Returns the files removed.
  int sweep(int limit, const std::function<void(const SweepItem&)>& remove_files);

  /// Files waiting in the queue.
  std::int64_t queued();

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
