#include "rest/attachments_rest.hpp"

#include <boost/json.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/jwt/tokens.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "http/multipart.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

/// RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" /
/// "`" / "|" / "~".
bool attr_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '&': case '+': case '-': case '.': case '^': case '_':
    case '`': case '|': case '~': return true;
    default: return false;
  }
}

json::object attachment_json(const chat::v1::Attachment& a) {
  std::string url = "/api/v1/attachments/" + a.id();
  return {{"id", a.id()},
          {"conversation_id", a.conversation_id()},
          {"media_type", a.media_type()},
          {"size_bytes", a.size_bytes()},
          {"sha256", a.sha256()},
          {"name", a.original_name()},
          {"width", a.width()},
          {"height", a.height()},
          {"has_thumbnail", a.has_thumbnail()},
          {"url", url},
          {"thumbnail_url", a.has_thumbnail() ? json::value(url + "/thumbnail") : json::value(nullptr)},
          {"message_id", a.message_id()},
          {"created_at", rpc::rfc3339(a.created_at())}};
}

std::string query_or(const HttpRequest& request, const char* name) {
  auto it = request.query.find(name);
  return it == request.query.end() ? std::string() : it->second;
}

}  // namespace

std::string content_disposition(std::string_view type, std::string_view file_name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string fallback;
  std::string encoded;
  for (unsigned char c : file_name) {
    bool printable = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%';
    if ((c & 0xC0) != 0x80) fallback += printable ? static_cast<char>(c) : '_';  // one '_' per code point
    if (attr_char(c)) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return std::string(type) + "; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

HttpResponse upload_attachment(const Upstreams& upstreams, const jwt::Claims& claims,
                               const std::string& conversation_id, const HttpRequest& request) {
  const bool visitor = claims.kind == jwt::TokenKind::kVisitor;
  // A visitor sends to its own conversation or to a room it is a member of (channel-connector's
  // RoomConversationAccess decides); any other target stays 403 as before rooms had files.
  const bool elsewhere = visitor && claims.conversation_id != conversation_id;
  chat::v1::UploadAttachmentRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_conversation_id(conversation_id);
  rpc_request.set_sender_kind(visitor ? common::v1::SENDER_KIND_VISITOR
                                      : common::v1::SENDER_KIND_OPERATOR);
  rpc_request.set_sender_id(claims.subject);
  rpc_request.set_sender_name(claims.name);
  if (visitor) rpc_request.set_visitor_conversation_id(claims.conversation_id);
  std::string client_id = query_or(request, "client_id");
  std::string caption = query_or(request, "caption");
  if (auto boundary = multipart_boundary(request.content_type)) {
    auto parts = parse_multipart(request.body, *boundary);
    if (!parts) throw ApiError(400, "validation_failed", "malformed multipart/form-data body");
    bool found = false;
    for (auto& part : *parts) {
      if (part.name == "file" && part.filename) {
        if (found) throw ApiError(400, "validation_failed", "send one file per request");
        found = true;
        rpc_request.set_file_name(*part.filename);
        rpc_request.set_content(std::move(part.body));
      } else if (part.name == "caption") {
        caption = std::move(part.body);
      } else if (part.name == "client_id") {
        client_id = std::move(part.body);
      }
    }
    if (!found) throw ApiError(400, "validation_failed", "a file part named \"file\" is required");
  } else {
    auto name = query_or(request, "name");
    if (name.empty()) {
      throw ApiError(400, "validation_failed",
                     "send multipart/form-data with a \"file\" part, or the raw bytes with ?name=");
    }
    rpc_request.set_file_name(std::move(name));
    rpc_request.set_content(request.body);
  }
  if (rpc_request.content().empty()) throw ApiError(400, "validation_failed", "the file is empty");
  rpc_request.set_client_id(client_id.empty() ? "att-" + common::random_base62(16) : client_id);
  rpc_request.set_caption(std::move(caption));

  chat::v1::UploadAttachmentResponse rpc_response;
  auto status = upstreams.call(*upstreams.chat, &ChatRpc::UploadAttachment, rpc_request, rpc_response);
  if (elsewhere && status.error_code() == grpc::StatusCode::NOT_FOUND) {
    throw ApiError(403, "forbidden",
                   "a visitor may send files only to its own conversation or a room it is a member of");
  }
  check(status);
  switch (rpc_response.refusal()) {
    case chat::v1::ATTACHMENT_REFUSAL_NONE: break;
    case chat::v1::ATTACHMENT_REFUSAL_TOO_LARGE:
      throw ApiError(413, "payload_too_large", rpc_response.refusal_message());
    case chat::v1::ATTACHMENT_REFUSAL_IMAGE_TOO_LARGE:
      throw ApiError(422, "image_too_large", rpc_response.refusal_message());
    case chat::v1::ATTACHMENT_REFUSAL_STORAGE_QUOTA:  // tidy
      throw ApiError(413, "storage_quota_exceeded", rpc_response.refusal_message());
    default:
      throw ApiError(415, "unsupported_media_type", rpc_response.refusal_message());
  }
  HttpResponse response;
  response.status = 201;
  response.body = json::serialize(json::object{{"attachment", attachment_json(rpc_response.attachment())},
                                               {"message_seq", rpc_response.message_seq()}});
  response.headers.emplace_back("Location", "/api/v1/attachments/" + rpc_response.attachment().id());
  return response;
}

HttpResponse download_attachment(const Upstreams& upstreams, const jwt::Claims& claims,
                                 const std::string& attachment_id, bool thumbnail) {
  chat::v1::GetAttachmentRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_attachment_id(attachment_id);
  rpc_request.set_thumbnail(thumbnail);
  if (claims.kind == jwt::TokenKind::kVisitor) {
    rpc_request.set_visitor_conversation_id(claims.conversation_id);
  }
  // The token's subject: a user id, or the visitor's id (a room member; RoomConversationAccess).
  rpc_request.set_user_id(claims.subject);
  chat::v1::GetAttachmentResponse rpc_response;
  check(upstreams.call(*upstreams.chat, &ChatRpc::GetAttachment, rpc_request, rpc_response));
  const auto& a = rpc_response.attachment();
  HttpResponse response;
  response.content_type = rpc_response.content_type();
  response.body = std::move(*rpc_response.mutable_content());
  bool image = response.content_type.rfind("image/", 0) == 0;
  std::string name = a.original_name();
  if (thumbnail) name = "thumbnail-" + name + ".jpg";
  response.headers.emplace_back("Content-Disposition",
                                content_disposition(image ? "inline" : "attachment", name));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  // The bytes under an id never change; the response depends on the token: private only.
  response.headers.emplace_back("Cache-Control", "private, max-age=86400, immutable");
  response.headers.emplace_back("ETag", "\"" + a.sha256() + (thumbnail ? "-t" : "") + "\"");
  response.headers.emplace_back("Cross-Origin-Resource-Policy", "cross-origin");
  return response;
}

std::optional<StorageUsage> storage_usage(const Upstreams& upstreams, const std::string& tenant_id) {
  chat::v1::GetAttachmentLimitRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  chat::v1::GetAttachmentLimitResponse rpc_response;
  auto status = upstreams.call(*upstreams.chat, &ChatRpc::GetAttachmentLimit, rpc_request, rpc_response);
  if (!status.ok()) return std::nullopt;
  return StorageUsage{rpc_response.storage_used_bytes(), rpc_response.max_storage_bytes()};
}

std::optional<UploadAllowance> upload_allowance(const Upstreams& upstreams, const std::string& tenant_id) {
  chat::v1::GetAttachmentLimitRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  chat::v1::GetAttachmentLimitResponse rpc_response;
  auto status = upstreams.call(*upstreams.chat, &ChatRpc::GetAttachmentLimit, rpc_request, rpc_response);
  if (!status.ok()) return std::nullopt;
  return UploadAllowance{rpc_response.max_bytes(), rpc_response.max_storage_bytes(),
                         rpc_response.storage_used_bytes()};
}

}  // namespace botfactory::gateway
