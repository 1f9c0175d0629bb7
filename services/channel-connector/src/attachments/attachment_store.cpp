#include "attachments/attachment_store.hpp"

#include <stdexcept>

#include "botfactory/common/config.hpp"
#include "attachments/local_attachment_store.hpp"
#include "attachments/s3_attachment_store.hpp"

namespace botfactory::channel {

bool valid_attachment_key(std::string_view key) {
  if (key.empty() || key.size() > 200 || key.front() == '/' || key.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : key) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-' || c == '.' || c == '/' ||
              (c >= 'g' && c <= 'z');
    if (!ok) return false;
  }
  return true;
}

AttachmentStoreSettings attachment_store_settings_from_env() {
  AttachmentStoreSettings s;
  s.kind = common::env_string("ATTACHMENT_STORE", s.kind);
  s.dir = common::env_string("ATTACHMENTS_DIR", s.dir);
  s.s3_endpoint = common::env_string("S3_ENDPOINT", "");
  s.s3_bucket = common::env_string("S3_BUCKET", "");
  s.s3_region = common::env_string("S3_REGION", s.s3_region);
  s.s3_access_key = common::env_string("S3_ACCESS_KEY_ID", "");
  s.s3_secret_key = common::env_string("S3_SECRET_ACCESS_KEY", "");
  s.s3_timeout_ms = common::env_int("S3_TIMEOUT_MS", s.s3_timeout_ms);
  if (s.kind != "local" && s.kind != "s3") {
    throw std::invalid_argument("ATTACHMENT_STORE must be local or s3");
  }
  return s;
}

std::unique_ptr<AttachmentStore> make_attachment_store(const AttachmentStoreSettings& settings) {
  if (settings.kind == "s3") return std::make_unique<S3AttachmentStore>(settings);
  return std::make_unique<LocalAttachmentStore>(settings.dir);
}

}  // namespace botfactory::channel
