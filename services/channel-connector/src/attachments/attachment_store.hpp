#pragma once
// Where attachment bytes live (issue 11 "Files"): a key → bytes store behind one interface, so
// `make run` keeps files on a local volume and Kubernetes in an S3-compatible bucket.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace botfactory::channel {

/// A blob store keyed by attachment keys ("<conversation uuid>/<attachment uuid>[.thumb]", only
/// [0-9a-z-./] characters: valid_attachment_key()). Thread-safe. Errors (I/O, the S3 endpoint)
/// are thrown as std::runtime_error with a message that names no secret.
class AttachmentStore {
 public:
  virtual ~AttachmentStore() = default;
  /// Stores `bytes` under `key`, replacing what was there; when it returns, the bytes are durable
  /// (local: fsync'd file renamed into place; S3: the PUT answered 2xx).
  virtual void put(const std::string& key, std::string_view bytes) = 0;
  /// The bytes under `key`, or nullopt when there are none.
  virtual std::optional<std::string> get(const std::string& key) = 0;
  /// Removes `key`; a missing key is not an error.
  virtual void remove(const std::string& key) = 0;
};

/// True for a key this service makes: 1..200 characters of [0-9a-z-./], no "..", not starting
/// with '/'. Stores refuse any other key (std::invalid_argument), so no path can escape the root.
bool valid_attachment_key(std::string_view key);

/// Attachment store settings (environment: ATTACHMENT_STORE, ATTACHMENTS_DIR, S3_*).
struct AttachmentStoreSettings {
  std::string kind = "local";  // ATTACHMENT_STORE: "local" or "s3"
  std::string dir = ".run/embedded/attachments";  // ATTACHMENTS_DIR (local)
  std::string s3_endpoint;    // S3_ENDPOINT, e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000
  std::string s3_bucket;      // S3_BUCKET
  std::string s3_region = "us-east-1";  // S3_REGION
  std::string s3_access_key;  // S3_ACCESS_KEY_ID
  std::string s3_secret_key;  // S3_SECRET_ACCESS_KEY (never logged)
  long s3_timeout_ms = 10000; // S3_TIMEOUT_MS, per request
};

/// Reads the settings above from the environment (safe defaults; a bad ATTACHMENT_STORE throws
/// std::invalid_argument at start-up).
AttachmentStoreSettings attachment_store_settings_from_env();

/// The store the settings name: LocalAttachmentStore (creates the directory, mode 0700) or
/// S3AttachmentStore (requires endpoint, bucket and both keys; std::invalid_argument otherwise).
std::unique_ptr<AttachmentStore> make_attachment_store(const AttachmentStoreSettings& settings);

}  // namespace botfactory::channel
