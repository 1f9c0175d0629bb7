#pragma once
// AttachmentStore on a local directory (ATTACHMENTS_DIR; under `make run`
// .run/embedded/attachments; in Kubernetes a PersistentVolume if S3 is not used).

#include <filesystem>

#include "attachments/attachment_store.hpp"

namespace botfactory::channel {

/// Files under `root`, one per key (the key's '/' makes one sub-directory per conversation),
/// mode 0600. put() writes a temporary file, fsyncs and renames it into place, so a reader never
/// sees a half-written file. Throws std::runtime_error on I/O errors, std::invalid_argument for
/// a key valid_attachment_key() refuses.
class LocalAttachmentStore final : public AttachmentStore {
 public:
  /// Creates `root` (and parents) when missing.
  explicit LocalAttachmentStore(std::filesystem::path root);
  void put(const std::string& key, std::string_view bytes) override;
  std::optional<std::string> get(const std::string& key) override;
  void remove(const std::string& key) override;

 private:
  std::filesystem::path path_of(const std::string& key) const;
  std::filesystem::path root_;
};

}  // namespace botfactory::channel
