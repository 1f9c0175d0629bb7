#pragma once
// The real type of an uploaded file, from its bytes (libmagic), and the attachment type rules:
// which types are allowed and which file-name extensions each one may carry.

#include <string>
#include <string_view>

namespace botfactory::channel {

/// The MIME type libmagic (Debian libmagic1, the `file` command's database) reads from the first
/// bytes of `content`, e.g. "image/png", "text/html", "application/octet-stream". Never looks at
/// a name. Thread-safe (one magic cookie per thread). Throws std::runtime_error when the magic
/// database cannot be loaded.
std::string detect_media_type(std::string_view content);

/// True for the attachment types of issue 11: image/png, image/jpeg, image/webp, image/gif,
/// application/pdf.
bool allowed_attachment_type(std::string_view media_type);

/// True when `file_name`'s extension (case-insensitive) is one a file of `media_type` may have:
/// .png; .jpg/.jpeg/.jpe; .webp; .gif; .pdf. A name without an extension is accepted (the real
/// type decides); one with another extension is not (a PNG named x.pdf is refused).
bool extension_matches(std::string_view file_name, std::string_view media_type);

/// The stored type of every file of an e2ee room (docs/e2ee.md): ciphertext, never sniffed,
/// never thumbnailed, served as an attachment.
inline constexpr std::string_view kSealedMediaType = "application/octet-stream";

/// True for image/* types (thumbnail, inline display).
bool is_image_type(std::string_view media_type);

}  // namespace botfactory::channel
