#include "attachments/media_type.hpp"

#include <magic.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace botfactory::channel {
namespace {

struct CookieDeleter {
  void operator()(magic_t cookie) const { magic_close(cookie); }
};
using Cookie = std::unique_ptr<std::remove_pointer_t<magic_t>, CookieDeleter>;

/// libmagic cookies are not thread-safe: one per thread, loaded once. MAGIC_NO_CHECK_COMPRESS
/// and _ELF etc. are left default; MAGIC_ERROR reports read errors instead of "data".
magic_t thread_cookie() {
  thread_local Cookie cookie = [] {
    Cookie c(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS));
    if (!c) throw std::runtime_error("libmagic: magic_open failed");
    if (magic_load(c.get(), nullptr) != 0) {
      throw std::runtime_error(std::string("libmagic: cannot load the database: ") +
                               (magic_error(c.get()) ? magic_error(c.get()) : "unknown"));
    }
    return c;
  }();
  return cookie.get();
}

struct TypeRule {
  std::string_view type;
  std::array<std::string_view, 3> extensions;
};

constexpr std::array kRules = {
    TypeRule{"image/png", {"png", "", ""}},
    TypeRule{"image/jpeg", {"jpg", "jpeg", "jpe"}},
    TypeRule{"image/webp", {"webp", "", ""}},
    TypeRule{"image/gif", {"gif", "", ""}},
    TypeRule{"application/pdf", {"pdf", "", ""}},
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

}  // namespace

std::string detect_media_type(std::string_view content) {
  if (content.empty()) return "application/x-empty";
  auto cookie = thread_cookie();
  const char* type = magic_buffer(cookie, content.data(), content.size());
  if (type == nullptr) return "application/octet-stream";
  return type;
}

bool allowed_attachment_type(std::string_view media_type) {
  return std::any_of(kRules.begin(), kRules.end(),
                     [&](const TypeRule& rule) { return rule.type == media_type; });
}

bool extension_matches(std::string_view file_name, std::string_view media_type) {
  auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return true;
  auto extension = lower(file_name.substr(dot + 1));
  for (const auto& rule : kRules) {
    if (rule.type != media_type) continue;
    return std::any_of(rule.extensions.begin(), rule.extensions.end(),
                       [&](std::string_view e) { return !e.empty() && e == extension; });
  }
  return false;
}

bool is_image_type(std::string_view media_type) { return media_type.rfind("image/", 0) == 0; }

}  // namespace botfactory::channel
