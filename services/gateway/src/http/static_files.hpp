#pragma once
// Static files of the web app under WEB_ROOT (GET/HEAD only), safe against path traversal.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.hpp"

namespace botfactory::gateway {

/// Serves files below one root directory. Blocking file I/O: call it on the worker pool.
class StaticFiles {
 public:
  /// `root` need not exist (every request is then 404). Files over `max_file_bytes` are 404.
  /// `spa_prefix` ("/app/", the dashboard) names a single-page app below the root: a path under
  /// it that names no file and whose last segment has no "." (a client-side route such as
  /// "/app/bots/42/knowledge", not a missing asset) is answered with `<spa_prefix>index.html`.
  /// Empty = no fallback.
  explicit StaticFiles(std::filesystem::path root, std::uintmax_t max_file_bytes = 64 << 20,
                       std::string spa_prefix = "/app/");

  /// The file for decoded request `path` ("/" → index.html): 200 with its content type and
  /// Cache-Control (no-cache for HTML, a day for assets), or a JSON 404. A path with a ".."
  /// segment, a NUL or a backslash, or one that resolves outside the root (symlinks included),
  /// is 404. Client-side routes of the single-page app get its index.html (see the constructor).
  HttpResponse serve(std::string_view path) const;

  /// The resolved file for `path`, or nullopt (the checks of serve()).
  std::optional<std::filesystem::path> resolve(std::string_view path) const;

 private:
  std::filesystem::path root_;  // canonical when it exists
  std::uintmax_t max_file_bytes_;
  std::string spa_prefix_;
};

/// Content-Type by extension: html, js, mjs, css, svg, png, jpg, gif, webp, json, ico, txt, map,
/// woff2; "application/octet-stream" otherwise.
std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace botfactory::gateway
