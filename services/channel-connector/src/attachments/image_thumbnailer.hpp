#pragma once
// Image header reading and thumbnails for attachments, on libvips (Debian libvips42): the pixel
// count is checked from the header before any pixel is decoded (a decompression bomb is refused
// without the memory it asks for), and decoding runs in a bounded number of slots.

#include <chrono>
#include <cstdint>
#include <optional>
#include <semaphore>
#include <stdexcept>
#include <string>
#include <string_view>

namespace botfactory::channel {

/// Thumbnail settings (environment: THUMBNAIL_MAX_PIXELS, THUMBNAIL_MAX_EDGE, THUMBNAIL_WORKERS,
/// THUMBNAIL_WAIT_MS).
struct ThumbnailSettings {
  std::int64_t max_pixels = 40'000'000;  // width × height of the first frame; above: refused
  int max_edge = 320;                    // longer edge of a thumbnail, px
  int workers = 2;                       // images decoded at once in this process
  std::chrono::milliseconds wait{10000}; // wait for a slot, then ThumbnailBusy
};

/// From the environment, with the defaults above and sane bounds.
ThumbnailSettings thumbnail_settings_from_env();

/// Width and height of an image's first frame, from its header.
struct ImageSize {
  int width = 0;
  int height = 0;
};

/// No decoding slot became free within ThumbnailSettings::wait (callers answer UNAVAILABLE).
class ThumbnailBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thread-safe; one per process (initialises libvips once: one worker thread per operation, no
/// operation cache, untrusted loaders such as ImageMagick's blocked: vips_block_untrusted_set).
class ImageThumbnailer {
 public:
  explicit ImageThumbnailer(ThumbnailSettings settings);

  /// The image's size from its header only (no pixel decoded), or nullopt when libvips cannot
  /// read it as an image.
  std::optional<ImageSize> probe(std::string_view content) const;

  /// True when `size` is within max_pixels (and both sides positive).
  bool within_limit(const ImageSize& size) const;

  /// A JPEG (quality 80, metadata stripped) of at most max_edge px on its longer edge (never
  /// enlarged). Waits for a decoding slot (ThumbnailBusy after `wait`); std::runtime_error when
  /// the image cannot be decoded. Callers probe() and check within_limit() first.
  std::string thumbnail(std::string_view content);

  const ThumbnailSettings& settings() const { return settings_; }

 private:
  ThumbnailSettings settings_;
  std::counting_semaphore<64> slots_;
};

}  // namespace botfactory::channel
