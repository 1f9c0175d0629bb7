#pragma once
// AttachmentStore on an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Cloudflare R2): path-style
// requests signed with AWS Signature Version 4 by libcurl (CURLOPT_AWS_SIGV4, curl ≥ 7.75).

#include "attachments/attachment_store.hpp"

namespace botfactory::channel {

/// PUT / GET / DELETE <endpoint>/<bucket>/<key> (path-style, so any S3-compatible server works
/// without DNS per bucket), signed "aws:amz:<region>:s3" with the access key pair; the payload
/// hash header x-amz-content-sha256 is sent as curl requires for S3. One easy handle per call
/// (blocking, at most settings.s3_timeout_ms). get(): 404 → nullopt; any other non-2xx status or
/// transport error throws std::runtime_error("s3 <op> <key>: HTTP <code>") without the secret.
class S3AttachmentStore final : public AttachmentStore {
 public:
  /// std::invalid_argument when endpoint, bucket or a key is missing.
  explicit S3AttachmentStore(AttachmentStoreSettings settings);
  void put(const std::string& key, std::string_view bytes) override;
  std::optional<std::string> get(const std::string& key) override;
  void remove(const std::string& key) override;

 private:
  struct Result {
    long status = 0;
    std::string body;
  };
  Result request(const char* method, const std::string& key, std::string_view body);
  AttachmentStoreSettings settings_;
};

}  // namespace botfactory::channel
