#pragma once
// REST for conversation attachments (docs/api.md "Attachments", issue 11 "Files"):
// POST /api/v1/conversations/{id}/attachments, GET /api/v1/attachments/{id}[/thumbnail], each one
// channel-connector call (UploadAttachment / GetAttachment).

#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.hpp"
#include "rest/upload_admission.hpp"

namespace botfactory::jwt {
struct Claims;
}

namespace botfactory::gateway {

struct Upstreams;

/// Multipart framing allowed on top of the plan's cap when a Content-Length is compared with it
/// before the body is read (boundaries and part headers).
inline constexpr std::size_t kAttachmentFramingBytes = 16 * 1024;

/// Upload: `multipart/form-data` with a file part "file" (its filename) and optional fields
/// "caption" and "client_id", or any other Content-Type with the raw bytes and `?name=<file
/// name>` (and optional `caption`, `client_id` query parameters). Members only: the
/// conversation's visitor (403 for a visitor token of another conversation) or a user of its
/// tenant (404 for another tenant's conversation). 201 {"attachment":{…},"message_seq":N};
/// 400 validation_failed (no file, bad name), 413 payload_too_large (over the plan's cap),
/// 413 storage_quota_exceeded (the tenant's stored bytes would pass the plan's storage),
/// 415 unsupported_media_type (real type not PNG/JPEG/WebP/GIF/PDF, or not what the name
/// says), 422 image_too_large (pixel count over THUMBNAIL_MAX_PIXELS), 503. Throws ApiError.
HttpResponse upload_attachment(const Upstreams& upstreams, const jwt::Claims& claims,
                               const std::string& conversation_id, const HttpRequest& request);

/// Download of the file (`thumbnail` false) or its JPEG thumbnail, for a member of its
/// conversation (404 otherwise): the bytes with the detected Content-Type, Content-Disposition
/// (inline for images, attachment for PDF; filename and RFC 5987 filename*), a CSP of
/// "default-src 'none'; sandbox", private cache headers and an ETag (the SHA-256). Throws ApiError.
HttpResponse download_attachment(const Upstreams& upstreams, const jwt::Claims& claims,
                                 const std::string& attachment_id, bool thumbnail);

/// harden: the plan's cap on one attachment and the tenant's storage (max and used) for
/// `tenant_id`, from one GetAttachmentLimit call, or nullopt when channel-connector cannot say
/// (the body is then read up to ATTACHMENT_MAX_BYTES and both checked after).
std::optional<UploadAllowance> upload_allowance(const Upstreams& upstreams, const std::string& tenant_id);

/// tidy: a tenant's attachment storage, bytes.
struct StorageUsage {
  std::int64_t used_bytes = 0;  // chat.tenant_storage (channel-connector)
  std::int64_t max_bytes = 0;   // the plan's max_storage_bytes
};

/// The tenant's stored attachment bytes and allowance (GetAttachmentLimit), or nullopt when
/// channel-connector cannot say.
std::optional<StorageUsage> storage_usage(const Upstreams& upstreams, const std::string& tenant_id);

/// `Content-Disposition` value (RFC 6266 section 4.1 with RFC 5987 / RFC 8187 `filename*`):
/// `<type>; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded UTF-8>`. The
/// fallback replaces every code point outside printable ASCII, and '"', '\\', '%', with one '_'.
std::string content_disposition(std::string_view type, std::string_view file_name);

}  // namespace botfactory::gateway
