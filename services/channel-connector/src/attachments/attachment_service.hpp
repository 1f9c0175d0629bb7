#pragma once
// Conversation attachments (issue 11 "Files"): upload (access, plan cap, real type, extension,
// pixel limit, thumbnail, store, metadata, the message that carries it) and download. The gRPC
// layer (attachment_grpc_methods.cpp) is a thin shell.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "botfactory/chat/v1/attachments.pb.h"
#include "chat/room_act_check.hpp"

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

class AttachmentAllowance;
class AttachmentRepository;
class AttachmentStore;
class ChatService;
class ConversationAccess;
class ImageThumbnailer;
class StorageUsageRepository;

/// Thread-safe. Errors are thrown as rpc::StatusError (INVALID_ARGUMENT, NOT_FOUND,
/// UNAVAILABLE) or pg::Error; content refusals are answered in UploadAttachmentResponse.refusal.
class AttachmentService {
 public:
  /// Every reference must outlive the service.
  AttachmentService(AttachmentRepository& repository, AttachmentStore& store,
                    ImageThumbnailer& thumbnailer, ConversationAccess& access,
                    AttachmentAllowance& allowance, ChatService& chat, metrics::Registry& registry,
                    StorageUsageRepository& storage);

  /// Order of checks (cheapest first, nothing stored before all pass): tenant (INVALID_ARGUMENT),
  /// sender kind VISITOR/OPERATOR, client_id 1..64, file_name (path stripped; UTF-8 without
  /// control characters, 1..255 bytes), caption ≤ 4000 characters (INVALID_ARGUMENT);
  /// membership (NOT_FOUND: a non-member learns nothing); size against the plan
  /// (TOO_LARGE); libmagic type allowed and the name's extension matching it (UNSUPPORTED_TYPE);
  /// images: header readable and width × height ≤ THUMBNAIL_MAX_PIXELS (IMAGE_TOO_LARGE); the
  /// file's bytes reserved in the tenant's storage total within the plan's max_storage_bytes
  /// (STORAGE_QUOTA, nothing stored, total unchanged; tidy). Then
  /// the original and the thumbnail are stored, the row inserted, and the message posted (text:
  /// the caption, or "📎 <name>"); a repeated client_id removes what this call stored.
  chat::v1::UploadAttachmentResponse upload(const chat::v1::UploadAttachmentRequest& request);

  /// The attachment's bytes (or thumbnail's) for a member of its conversation; NOT_FOUND for a
  /// non-member, another tenant's id, an unknown id, or a missing thumbnail.
  chat::v1::GetAttachmentResponse get(const chat::v1::GetAttachmentRequest& request);

  /// e2ee rooms (docs/e2ee.md): `sealed(conversation_id)` true means the conversation holds
  /// only ciphertext: any content is stored as application/octet-stream (libmagic "data" or
  /// whatever random bytes look like), no thumbnail, no extension check, and a caption must
  /// pass `caption_check(conversation_id, caption)` (throws; returns the envelope's key, checked
  /// again inside the append, harden2). Set once before serving.
  using CaptionCheck =
      std::function<std::optional<E2eeKeyCheck>(const std::string&, const std::string&)>;
  void set_sealed(std::function<bool(const std::string&)> sealed, CaptionCheck caption_check) {
    sealed_ = std::move(sealed);
    caption_check_ = std::move(caption_check);
  }

  /// The tenant's plan cap (bytes), and (tidy) its stored bytes and storage allowance.
  chat::v1::GetAttachmentLimitResponse limit(const chat::v1::GetAttachmentLimitRequest& request);

 private:
  AttachmentRepository& repository_;
  AttachmentStore& store_;
  ImageThumbnailer& thumbnailer_;
  ConversationAccess& access_;
  AttachmentAllowance& allowance_;
  ChatService& chat_;
  StorageUsageRepository& storage_;  // tidy
  metrics::Counter& stored_;
  metrics::Counter& refused_;
  std::function<bool(const std::string&)> sealed_;
  CaptionCheck caption_check_;
};

}  // namespace botfactory::channel
