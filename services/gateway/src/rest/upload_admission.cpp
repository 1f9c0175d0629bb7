#include "rest/upload_admission.hpp"

#include <algorithm>
#include <string>

#include "http/api_error.hpp"

namespace botfactory::gateway {

UploadHeadDecision decide_upload_head(const std::optional<UploadAllowance>& allowance,
                                      std::optional<std::uint64_t> content_length, bool multipart,
                                      std::uint64_t framing_bytes) {
  UploadHeadDecision decision;
  if (!allowance) return decision;
  if (allowance->max_attachment_bytes > 0) {
    auto allowed = static_cast<std::uint64_t>(allowance->max_attachment_bytes) + framing_bytes;
    if (content_length && *content_length > allowed) {
      decision.refusal = error_response(413, "payload_too_large",
                                        "the file is larger than the plan allows (" +
                                            std::to_string(allowance->max_attachment_bytes) + " bytes)");
      return decision;
    }
    decision.body_limit = allowed;
  }
  if (allowance->max_storage_bytes > 0 && content_length) {
    auto left = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, allowance->max_storage_bytes - allowance->storage_used_bytes));
    if (*content_length > left + (multipart ? framing_bytes : 0)) {
      decision.body_limit.reset();
      decision.refusal = error_response(
          413, "storage_quota_exceeded",
          "the plan's attachment storage is full: " + std::to_string(allowance->storage_used_bytes) +
              " of " + std::to_string(allowance->max_storage_bytes) + " bytes used, " +
              std::to_string(left) + " left; delete conversations or change the plan");
    }
  }
  return decision;
}

}  // namespace botfactory::gateway
