#include "attachments/image_thumbnailer.hpp"

#include <vips/vips.h>

#include <algorithm>
#include <mutex>

#include "botfactory/common/config.hpp"

namespace botfactory::channel {
namespace {

void init_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("botfactory-channel-connector") != 0) {
      throw std::runtime_error("libvips: initialisation failed");
    }
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_block_untrusted_set(TRUE);
  });
}

/// Releases a semaphore slot on scope exit.
struct SlotGuard {
  std::counting_semaphore<64>& slots;
  ~SlotGuard() { slots.release(); }
};

}  // namespace

ThumbnailSettings thumbnail_settings_from_env() {
  ThumbnailSettings s;
  s.max_pixels = common::env_int("THUMBNAIL_MAX_PIXELS", s.max_pixels, 1, 1'000'000'000);
  s.max_edge = static_cast<int>(common::env_int("THUMBNAIL_MAX_EDGE", s.max_edge, 16, 2048));
  s.workers = static_cast<int>(common::env_int("THUMBNAIL_WORKERS", s.workers, 1, 64));
  s.wait = std::chrono::milliseconds(common::env_int("THUMBNAIL_WAIT_MS", s.wait.count(), 0, 600000));
  return s;
}

ImageThumbnailer::ImageThumbnailer(ThumbnailSettings settings)
    : settings_(settings), slots_(std::clamp(settings.workers, 1, 64)) {
  init_vips();
}

std::optional<ImageSize> ImageThumbnailer::probe(std::string_view content) const {
  // Reads the header only: libvips decodes pixels lazily, on the first region request.
  VipsImage* image = vips_image_new_from_buffer(content.data(), content.size(), "", "access",
                                                VIPS_ACCESS_SEQUENTIAL, nullptr);
  if (image == nullptr) {
    vips_error_clear();
    return std::nullopt;
  }
  ImageSize size{vips_image_get_width(image), vips_image_get_height(image)};
  g_object_unref(image);
  return size;
}

bool ImageThumbnailer::within_limit(const ImageSize& size) const {
  if (size.width <= 0 || size.height <= 0) return false;
  return static_cast<std::int64_t>(size.width) * size.height <= settings_.max_pixels;
}

std::string ImageThumbnailer::thumbnail(std::string_view content) {
  if (!slots_.try_acquire_for(settings_.wait)) throw ThumbnailBusy("image decoding is busy");
  SlotGuard guard{slots_};
  VipsImage* thumb = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(content.data()), content.size(), &thumb,
                            settings_.max_edge, "height", settings_.max_edge, "size",
                            VIPS_SIZE_DOWN, nullptr) != 0) {
    std::string error = vips_error_buffer();
    vips_error_clear();
    throw std::runtime_error("libvips thumbnail: " + error.substr(0, 200));
  }
  void* buffer = nullptr;
  std::size_t length = 0;
  int rc = vips_jpegsave_buffer(thumb, &buffer, &length, "Q", 80, "strip", TRUE, nullptr);
  g_object_unref(thumb);
  if (rc != 0) {
    std::string error = vips_error_buffer();
    vips_error_clear();
    throw std::runtime_error("libvips jpegsave: " + error.substr(0, 200));
  }
  std::string out(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

}  // namespace botfactory::channel
