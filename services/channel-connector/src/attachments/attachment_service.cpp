#include "attachments/attachment_service.hpp"

#include "attachments/attachment_repository.hpp"
#include "attachments/attachment_store.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "chat/chat_service.hpp"
#include "attachments/conversation_access.hpp"
#include "attachments/image_thumbnailer.hpp"
#include "attachments/media_type.hpp"
#include "pipeline/plan_limits_client.hpp"
#include "attachments/storage_usage_repository.hpp"
#include "chat/validation.hpp"

namespace botfactory::channel {
namespace {

constexpr std::size_t kMaxFileNameBytes = 255;

/// The last path segment of `name` ('/' or '\\'), checked: UTF-8, no control character,
/// 1..255 bytes. INVALID_ARGUMENT otherwise.
std::string clean_file_name(const std::string& name) {
  auto slash = name.find_last_of("/\\");
  std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  if (base.empty()) rpc::throw_invalid("file_name is required");
  if (base.size() > kMaxFileNameBytes) rpc::throw_invalid("file_name must be at most 255 bytes");
  if (!common::is_valid_utf8(base) || common::find_control_char(base) != std::string::npos) {
    rpc::throw_invalid("file_name must be UTF-8 without control characters");
  }
  return base;
}

chat::v1::UploadAttachmentResponse refusal(chat::v1::AttachmentRefusal reason, std::string message) {
  chat::v1::UploadAttachmentResponse response;
  response.set_refusal(reason);
  response.set_refusal_message(std::move(message));
  return response;
}

}  // namespace

AttachmentService::AttachmentService(AttachmentRepository& repository, AttachmentStore& store,
                                     ImageThumbnailer& thumbnailer, ConversationAccess& access,
                                     AttachmentAllowance& allowance, ChatService& chat,
                                     metrics::Registry& registry, StorageUsageRepository& storage)
    : repository_(repository),
      store_(store),
      thumbnailer_(thumbnailer),
      access_(access),
      allowance_(allowance),
      chat_(chat),
      storage_(storage),
      stored_(registry.counter("chat_attachments_stored_total", "Attachments stored")),
      refused_(registry.counter("chat_attachments_refused_total",
                                "Uploads refused for size, type or pixel count")) {}

chat::v1::UploadAttachmentResponse AttachmentService::upload(
    const chat::v1::UploadAttachmentRequest& request) {
  rpc::require_tenant(request.tenant_id());
  const bool visitor = request.sender_kind() == common::v1::SENDER_KIND_VISITOR;
  if (!visitor && request.sender_kind() != common::v1::SENDER_KIND_OPERATOR) {
    rpc::throw_invalid("sender_kind must be visitor or operator");
  }
  if (request.client_id().empty()) rpc::throw_invalid("client_id is required");
  check_text_field("client_id", request.client_id(), kMaxClientIdCodePoints);
  check_text_field("sender_id", request.sender_id(), kMaxSenderIdCodePoints);
  check_text_field("sender_name", request.sender_name(), kMaxSenderNameCodePoints);
  check_text_field("caption", request.caption(), kMaxTextCodePoints);
  auto file_name = clean_file_name(request.file_name());
  if (!common::is_uuid(request.conversation_id())) rpc::throw_not_found("conversation not found");
  ConversationActor actor{request.tenant_id(), visitor, request.sender_id(),
                          request.visitor_conversation_id()};
  if (!access_.is_member(request.conversation_id(), actor)) {
    rpc::throw_not_found("conversation not found");
  }

  const auto& content = request.content();
  const auto limits = allowance_.attachment_limits(request.tenant_id());
  const auto max_bytes = limits.max_attachment_bytes;
  if (static_cast<std::int64_t>(content.size()) > max_bytes) {
    refused_.inc();
    auto response = refusal(chat::v1::ATTACHMENT_REFUSAL_TOO_LARGE,
                            "the file is larger than the plan allows (" +
                                std::to_string(max_bytes) + " bytes)");
    response.set_max_bytes(max_bytes);
    return response;
  }
  if (content.empty()) rpc::throw_invalid("the file is empty");
  const bool sealed = sealed_ && sealed_(request.conversation_id());  // e2ee room: ciphertext only
  std::optional<E2eeKeyCheck> key;  // harden2: checked again inside the append
  if (sealed && caption_check_ && !request.caption().empty()) key = caption_check_(request.conversation_id(), request.caption());
  const bool room = access_.is_room(request.conversation_id(), actor);
  auto media_type = sealed ? std::string(kSealedMediaType) : detect_media_type(content);
  if (!sealed && !allowed_attachment_type(media_type)) {
    refused_.inc();
    return refusal(chat::v1::ATTACHMENT_REFUSAL_UNSUPPORTED_TYPE,
                   "files of type " + media_type +
                       " are not accepted (PNG, JPEG, WebP, GIF or PDF only)");
  }
  if (!sealed && !extension_matches(file_name, media_type)) {
    refused_.inc();
    return refusal(chat::v1::ATTACHMENT_REFUSAL_UNSUPPORTED_TYPE,
                   "the file's content is " + media_type + ", which its name does not say");
  }

  chat::v1::UploadAttachmentResponse response;
  AttachmentRecord record;
  auto& a = record.attachment;
  a.set_id(common::random_uuid());
  a.set_conversation_id(request.conversation_id());
  a.set_uploader_kind(request.sender_kind());
  a.set_uploader_id(request.sender_id());
  a.set_media_type(media_type);
  a.set_size_bytes(static_cast<std::int64_t>(content.size()));
  a.set_sha256(common::sha256_hex(content));
  a.set_original_name(file_name);
  record.tenant_id = request.tenant_id();
  record.storage_key = request.conversation_id() + "/" + a.id();

  std::string thumbnail;
  if (is_image_type(media_type)) {
    auto size = thumbnailer_.probe(content);
    if (!size) {
      refused_.inc();
      return refusal(chat::v1::ATTACHMENT_REFUSAL_UNSUPPORTED_TYPE,
                     "the image cannot be read");
    }
    if (!thumbnailer_.within_limit(*size)) {
      refused_.inc();
      return refusal(chat::v1::ATTACHMENT_REFUSAL_IMAGE_TOO_LARGE,
                     "the image has more than " +
                         std::to_string(thumbnailer_.settings().max_pixels) + " pixels");
    }
    a.set_width(size->width);
    a.set_height(size->height);
    try {
      thumbnail = thumbnailer_.thumbnail(content);
    } catch (const ThumbnailBusy&) {
      rpc::throw_retry_later(grpc::StatusCode::UNAVAILABLE, "image processing is busy, try again", 2);
    } catch (const std::exception& e) {
      refused_.inc();
      common::logger("attachments")->info("thumbnail failed: {}", common::json_escape(e.what()));
      return refusal(chat::v1::ATTACHMENT_REFUSAL_UNSUPPORTED_TYPE, "the image cannot be decoded");
    }
    record.thumbnail_key = record.storage_key + ".thumb";
    record.thumbnail_bytes = static_cast<std::int64_t>(thumbnail.size());  // harden: counted too
    a.set_has_thumbnail(true);
  }

  auto discard = [&] {
    try {
      store_.remove(record.storage_key);
      if (!record.thumbnail_key.empty()) store_.remove(record.thumbnail_key);
    } catch (const std::exception& e) {
      common::logger("attachments")->warn("could not remove {}: {}", record.storage_key,
                                          common::json_escape(e.what()));
    }
  };
  // tidy: the tenant's storage total, before any byte is stored. From here the bytes are the
  // tenant's until released (before the row exists) or swept (after: the V095 trigger queues them).
  const std::int64_t stored_bytes = a.size_bytes() + record.thumbnail_bytes;  // original + thumbnail
  if (!storage_.reserve(request.tenant_id(), stored_bytes, limits.max_storage_bytes)) {
    refused_.inc();
    auto used = storage_.used(request.tenant_id());
    auto response = refusal(chat::v1::ATTACHMENT_REFUSAL_STORAGE_QUOTA,
                            "the plan's attachment storage is full: " + std::to_string(used) +
                                " of " + std::to_string(limits.max_storage_bytes) +
                                " bytes used; delete conversations or change the plan");
    response.set_storage_used_bytes(used);
    response.set_max_storage_bytes(limits.max_storage_bytes);
    return response;
  }
  auto unreserve = [&] {
    try {
      storage_.release(request.tenant_id(), stored_bytes);
    } catch (const std::exception& e) {
      common::logger("attachments")->warn("storage release failed: {}", common::json_escape(e.what()));
    }
  };
  try {
    store_.put(record.storage_key, content);
    if (!thumbnail.empty()) store_.put(record.thumbnail_key, thumbnail);
  } catch (const std::exception& e) {
    discard();
    unreserve();
    common::logger("attachments")->error("store failed: {}", common::json_escape(e.what()));
    throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "the attachment store is unavailable");
  }
  try {
    repository_.insert(record);
  } catch (...) {
    discard();
    unreserve();
    throw;
  }

  chat::v1::PostMessageRequest post;
  post.set_tenant_id(request.tenant_id());
  post.set_conversation_id(request.conversation_id());
  post.set_client_id(request.client_id());
  post.mutable_sender()->set_kind(request.sender_kind());
  post.mutable_sender()->set_id(request.sender_id());
  post.mutable_sender()->set_name(request.sender_name());
  auto caption = common::trim(request.caption());
  post.set_text(caption.empty() ? "\xF0\x9F\x93\x8E " + file_name : std::string(caption));
  chat::v1::PostMessageResponse posted;
  try {
    posted = chat_.post_with_attachment(
        post,
        [&](chat::v1::Message& message) {
          repository_.link(a.id(), message.id());
          a.set_message_id(message.id());
          *message.mutable_attachment() = a;
        },
        !caption.empty() && !sealed, room, key);
  } catch (const rpc::StatusError& e) {
    repository_.remove(a.id());
    discard();
    // harden2: refused inside the append — no member now, or the key epoch moved on (named by
    // the caption check, as for a room post); nothing stored.
    if (key && e.code() == grpc::StatusCode::PERMISSION_DENIED) caption_check_(request.conversation_id(), request.caption());
    throw;
  } catch (...) {
    repository_.remove(a.id());
    discard();
    throw;
  }
  if (posted.duplicate()) {  // a retried upload: the first one carries the file
    repository_.remove(a.id());
    discard();
    std::vector<chat::v1::Message> page{posted.message()};
    repository_.decorate(page);
    *response.mutable_attachment() = page.front().attachment();
    response.set_message_seq(posted.message().seq());
    return response;
  }
  stored_.inc();
  *response.mutable_attachment() = a;
  response.set_message_seq(posted.message().seq());
  response.set_max_bytes(max_bytes);
  return response;
}

chat::v1::GetAttachmentResponse AttachmentService::get(const chat::v1::GetAttachmentRequest& request) {
  rpc::require_tenant(request.tenant_id());
  auto record = repository_.find(request.attachment_id(), request.tenant_id());
  if (!record) rpc::throw_not_found("attachment not found");
  ConversationActor actor{request.tenant_id(), !request.visitor_conversation_id().empty(),
                          request.user_id(), request.visitor_conversation_id()};
  if (!access_.is_member(record->attachment.conversation_id(), actor)) {
    rpc::throw_not_found("attachment not found");
  }
  const auto& key = request.thumbnail() ? record->thumbnail_key : record->storage_key;
  if (key.empty()) rpc::throw_not_found("this attachment has no thumbnail");
  std::optional<std::string> bytes;
  try {
    bytes = store_.get(key);
  } catch (const std::exception& e) {
    common::logger("attachments")->error("store read failed: {}", common::json_escape(e.what()));
    throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "the attachment store is unavailable");
  }
  if (!bytes) rpc::throw_not_found("attachment not found");
  chat::v1::GetAttachmentResponse response;
  response.set_content_type(request.thumbnail() ? "image/jpeg" : record->attachment.media_type());
  *response.mutable_attachment() = std::move(record->attachment);
  response.set_content(std::move(*bytes));
  return response;
}

chat::v1::GetAttachmentLimitResponse AttachmentService::limit(
    const chat::v1::GetAttachmentLimitRequest& request) {
  rpc::require_tenant(request.tenant_id());
  chat::v1::GetAttachmentLimitResponse response;
  auto limits = allowance_.attachment_limits(request.tenant_id());
  response.set_max_bytes(limits.max_attachment_bytes);
  response.set_max_storage_bytes(limits.max_storage_bytes);  // tidy
  response.set_storage_used_bytes(storage_.used(request.tenant_id()));
  return response;
}

}  // namespace botfactory::channel
