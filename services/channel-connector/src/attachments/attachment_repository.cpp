#include "attachments/attachment_repository.hpp"

#include <unordered_map>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kColumns =
    "id::text, conversation_id::text, uploader_kind, uploader_id, media_type, size_bytes, sha256, "
    "original_name, COALESCE(thumbnail_key, ''), width, height, "
    "(extract(epoch from created_at) * 1000000)::bigint, COALESCE(message_id::text, ''), "
    "tenant_id::text, storage_key";

constexpr const char* kInsert =
    "INSERT INTO chat.attachments (id, conversation_id, tenant_id, uploader_kind, uploader_id, "
    "media_type, size_bytes, sha256, original_name, storage_key, thumbnail_key, width, height, "
    "thumbnail_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULLIF($11, ''), $12, $13, $14) "
    "RETURNING (extract(epoch from created_at) * 1000000)::bigint";

constexpr const char* kLink =
    "UPDATE chat.attachments SET message_id = $2 WHERE id = $1 AND message_id IS NULL";

constexpr const char* kRemove = "DELETE FROM chat.attachments WHERE id = $1";

/// The stored uploader_kind (chatwire names, as chat.messages.sender_kind). An unknown kind is
/// an INVALID_ARGUMENT, never stored as someone else.
std::string stored_kind_name(common::v1::SenderKind kind) {
  auto name = chatwire::sender_kind_name(kind);
  if (chatwire::sender_kind_from_name(name) == common::v1::SENDER_KIND_UNSPECIFIED) {
    rpc::throw_invalid("uploader_kind must be visitor, bot or operator");
  }
  return std::string(name);
}

AttachmentRecord record_of(const pg::Result& r, int row) {
  AttachmentRecord record;
  auto& a = record.attachment;
  a.set_id(r.str(row, 0));
  a.set_conversation_id(r.str(row, 1));
  a.set_uploader_kind(chatwire::sender_kind_from_name(r.str(row, 2)));
  a.set_uploader_id(r.str(row, 3));
  a.set_media_type(r.str(row, 4));
  a.set_size_bytes(r.int64(row, 5));
  a.set_sha256(r.str(row, 6));
  a.set_original_name(r.str(row, 7));
  record.thumbnail_key = r.str(row, 8);
  a.set_has_thumbnail(!record.thumbnail_key.empty());
  a.set_width(static_cast<std::int32_t>(r.int64(row, 9)));
  a.set_height(static_cast<std::int32_t>(r.int64(row, 10)));
  *a.mutable_created_at() = rpc::timestamp_from_micros(r.int64(row, 11));
  a.set_message_id(r.str(row, 12));
  record.tenant_id = r.str(row, 13);
  record.storage_key = r.str(row, 14);
  return record;
}

}  // namespace

AttachmentRepository::AttachmentRepository(pg::Pool& pool) : pool_(pool) {}

void AttachmentRepository::insert(AttachmentRecord& record) {
  const auto& a = record.attachment;
  auto connection = pool_.acquire();
  auto r = connection->exec(
      kInsert, {a.id(), a.conversation_id(), record.tenant_id, stored_kind_name(a.uploader_kind()),
                a.uploader_id(), a.media_type(), std::to_string(a.size_bytes()), a.sha256(),
                a.original_name(), record.storage_key, record.thumbnail_key,
                std::to_string(a.width()), std::to_string(a.height()),
                std::to_string(record.thumbnail_bytes)});
  *record.attachment.mutable_created_at() = rpc::timestamp_from_micros(r.int64(0, 0));
}

bool AttachmentRepository::link(const std::string& attachment_id, const std::string& message_id) {
  auto connection = pool_.acquire();
  return connection->exec(kLink, {attachment_id, message_id}).affected() == 1;
}

std::optional<AttachmentRecord> AttachmentRepository::find(const std::string& attachment_id,
                                                           const std::string& tenant_id) {
  if (!common::is_uuid(attachment_id) || !common::is_uuid(tenant_id)) return std::nullopt;
  auto connection = pool_.acquire();
  auto r = connection->exec(std::string("SELECT ") + kColumns +
                                " FROM chat.attachments WHERE id = $1 AND tenant_id = $2",
                            {attachment_id, tenant_id});
  if (r.rows() == 0) return std::nullopt;
  return record_of(r, 0);
}

void AttachmentRepository::remove(const std::string& attachment_id) {
  auto connection = pool_.acquire();
  connection->exec(kRemove, {attachment_id});
}

void AttachmentRepository::decorate(std::vector<chat::v1::Message>& messages) {
  if (messages.empty()) return;
  // Page bounds: ListMessages returns at most 500 messages of one conversation.
  std::string ids = "{";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i) ids += ',';
    ids += messages[i].id();
  }
  ids += '}';
  auto connection = pool_.acquire();
  auto r = connection->exec(std::string("SELECT ") + kColumns +
                                " FROM chat.attachments WHERE conversation_id = $1 "
                                "AND message_id = ANY($2::uuid[])",
                            {messages.front().conversation_id(), ids});
  if (r.rows() == 0) return;
  std::unordered_map<std::string, chat::v1::Attachment> by_message;
  for (int row = 0; row < r.rows(); ++row) {
    auto record = record_of(r, row);
    by_message.emplace(record.attachment.message_id(), std::move(record.attachment));
  }
  for (auto& m : messages) {
    if (auto it = by_message.find(m.id()); it != by_message.end()) *m.mutable_attachment() = it->second;
  }
}

}  // namespace botfactory::channel
