#pragma once
// PostgreSQL access to chat.attachments (migration V075): attachment metadata and its link to
// the message that carries it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/chat/v1/attachments.pb.h"
#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// One stored attachment: its public metadata plus where its bytes are.
struct AttachmentRecord {
  chat::v1::Attachment attachment;  // id, conversation_id, uploader, type, size, sha256, name, …
  std::string tenant_id;
  std::string storage_key;
  std::string thumbnail_key;  // "" = none
  std::int64_t thumbnail_bytes = 0;  // harden: the thumbnail's size, counted in the tenant's storage (V100)
};

/// Repository over the pool; every method borrows one connection and throws pg::Error on
/// database failures.
class AttachmentRepository {
 public:
  explicit AttachmentRepository(pg::Pool& pool);

  /// Inserts the row (message_id NULL). created_at of `record` is filled from the database.
  /// An uploader_kind other than visitor / bot / operator throws rpc::StatusError
  /// INVALID_ARGUMENT before the database is touched.
  void insert(AttachmentRecord& record);

  /// Sets the attachment's message_id. False when the attachment is unknown or already linked.
  bool link(const std::string& attachment_id, const std::string& message_id);

  /// The attachment `attachment_id` of `tenant_id`, or nullopt (unknown, another tenant's, or a
  /// malformed id).
  std::optional<AttachmentRecord> find(const std::string& attachment_id, const std::string& tenant_id);

  /// Deletes the row (an upload whose message was a duplicate or failed).
  void remove(const std::string& attachment_id);

  /// Sets Message.attachment on every message of `messages` that carries one (one query).
  void decorate(std::vector<chat::v1::Message>& messages);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
