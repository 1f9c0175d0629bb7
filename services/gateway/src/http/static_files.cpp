#include "http/static_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "http/api_error.hpp"
#include "botfactory/common/text.hpp"

namespace botfactory::gateway {
namespace fs = std::filesystem;

StaticFiles::StaticFiles(fs::path root, std::uintmax_t max_file_bytes, std::string spa_prefix)
    : max_file_bytes_(max_file_bytes), spa_prefix_(std::move(spa_prefix)) {
  std::error_code ec;
  auto canonical = fs::canonical(root, ec);
  root_ = ec ? fs::absolute(root, ec) : canonical;
}

std::optional<fs::path> StaticFiles::resolve(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  // Reject any ".." segment outright, before touching the file system.
  std::string_view rest = path;
  while (!rest.empty()) {
    rest.remove_prefix(1);
    auto slash = rest.find('/');
    if (rest.substr(0, slash) == "..") return std::nullopt;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  std::string relative(path.substr(1));
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  std::error_code ec;
  fs::path file = fs::canonical(root_ / relative, ec);
  if (ec) return std::nullopt;
  // The resolved file must stay below the root (symlinks cannot lead out).
  auto [root_end, file_it] = std::mismatch(root_.begin(), root_.end(), file.begin(), file.end());
  if (root_end != root_.end()) return std::nullopt;
  if (fs::is_directory(file, ec)) {
    file /= "index.html";
    if (!fs::is_regular_file(file, ec)) return std::nullopt;
  }
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  return file;
}

namespace {
/// Whether `path` is a client-side route of the single-page app below `prefix`: under it, no
/// "." in its last segment (so a missing "/app/assets/x.js" stays a 404), no "..", NUL or "\\".
bool is_spa_route(std::string_view path, std::string_view prefix) {
  if (prefix.empty() || path.rfind(prefix, 0) != 0) return false;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) return false;
  auto last = path.substr(path.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos) return false;
  return path.find("/../") == std::string_view::npos;
}
}  // namespace

HttpResponse StaticFiles::serve(std::string_view path) const {
  auto file = resolve(path);
  if (!file && is_spa_route(path, spa_prefix_)) file = resolve(spa_prefix_ + "index.html");
  std::error_code ec;
  if (!file || fs::file_size(*file, ec) > max_file_bytes_ || ec) {
    return error_response(404, "not_found", "no such file");
  }
  std::ifstream in(*file, std::ios::binary);
  if (!in) return error_response(404, "not_found", "no such file");
  HttpResponse response;
  response.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  response.content_type = std::string(content_type_for(*file));
  bool html = file->extension() == ".html";
  response.headers.emplace_back("Cache-Control", html ? "no-cache" : "public, max-age=86400");
  return response;
}

std::string_view content_type_for(const fs::path& file) {
  std::string ext = common::to_lower_ascii(file.extension().string());
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".webp") return "image/webp";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

}  // namespace botfactory::gateway
