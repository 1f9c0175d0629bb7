#pragma once
// harden: the decision on an attachment upload's request head, before one body byte is read
// (docs/api.md "Attachments", docs/security.md "Attachments"): the plan's cap on one file and
// the tenant's storage left, both from ONE channel-connector GetAttachmentLimit call (the same
// numbers GET /api/v1/subscriptions/current shows as storage). Pure: no I/O.

#include <cstdint>
#include <optional>

#include "http/http_message.hpp"

namespace botfactory::gateway {

/// What channel-connector's GetAttachmentLimit answered for the uploader's tenant, bytes.
struct UploadAllowance {
  std::int64_t max_attachment_bytes = 0;  // the plan's cap on one file (<= 0: unknown)
  std::int64_t max_storage_bytes = 0;     // the plan's storage (<= 0: unknown)
  std::int64_t storage_used_bytes = 0;    // chat.tenant_storage (originals and thumbnails)
};

/// The decision: a refusal to send (and close), or the body limit to read with.
struct UploadHeadDecision {
  std::optional<HttpResponse> refusal;
  std::optional<std::uint64_t> body_limit;  // unset: keep ATTACHMENT_MAX_BYTES + framing
};

/// Decides on a head with `content_length` (nullopt: chunked) and `multipart` (a
/// multipart/form-data Content-Type, whose framing, at most `framing_bytes`, is not file bytes).
/// - no allowance (channel-connector could not say): nothing refused, no limit (checked after);
/// - Content-Length over the cap + `framing_bytes` → 413 `payload_too_large`;
/// - Content-Length over the storage left (max_storage_bytes - storage_used_bytes, plus
///   `framing_bytes` for multipart only) → 413 `storage_quota_exceeded` with the numbers;
/// - else body_limit = cap + `framing_bytes` (a streamed body is cut there).
/// channel-connector still checks the exact sizes before storing anything.
UploadHeadDecision decide_upload_head(const std::optional<UploadAllowance>& allowance,
                                      std::optional<std::uint64_t> content_length, bool multipart,
                                      std::uint64_t framing_bytes);

}  // namespace botfactory::gateway
