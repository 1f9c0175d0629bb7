#pragma once
// Coalesces the deltas of one streaming reply before they are published, so a fast model does
// not cost one Redis publish (and one WebSocket write in every gateway) per token.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace botfactory::channel {

/// When buffered deltas are flushed (PIPELINE_DELTA_FLUSH_MS, PIPELINE_DELTA_FLUSH_BYTES).
struct CoalesceSettings {
  /// A delta arriving this long (or longer) after the previous flush flushes the buffer, itself
  /// included; 0 = publish every delta as it arrives.
  std::chrono::milliseconds flush_interval{50};
  /// The buffer is flushed as soon as it holds this many bytes (UTF-8) or more.
  std::size_t flush_bytes = 1024;
};

/// The monotonic clock the coalescer reads (injected by tests).
using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

/// Buffers the deltas of ONE reply and hands them to `sink` concatenated: the first delta is
/// flushed at once; later ones when flush_interval has passed since the previous flush or the
/// buffer holds flush_bytes, and whatever is left on finish(), which the pipeline calls before
/// it posts the final message. There is no timer: text buffered when the model pauses waits for
/// its next delta or the end of the reply. Deltas are whole UTF-8 sequences (ai-proxy's), so
/// concatenation never splits a code point. Memory: at most flush_bytes plus one delta. Not
/// thread-safe (one reply, one thread); `sink` must not throw.
class DeltaCoalescer {
 public:
  DeltaCoalescer(CoalesceSettings settings, SteadyClock clock,
                 std::function<void(std::string_view)> sink);

  /// Adds one delta (empty deltas are ignored); may flush.
  void add(std::string_view delta);
  /// Flushes what is buffered (nothing when empty).
  void finish();
  /// Flushes handed to the sink so far.
  std::size_t flushes() const { return flushes_; }

 private:
  void flush(std::chrono::steady_clock::time_point now);

  CoalesceSettings settings_;
  SteadyClock clock_;
  std::function<void(std::string_view)> sink_;
  std::string buffer_;
  bool flushed_once_ = false;
  std::chrono::steady_clock::time_point last_flush_{};
  std::size_t flushes_ = 0;
};

}  // namespace botfactory::channel
