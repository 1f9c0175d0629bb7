#include "pipeline/delta_coalescer.hpp"

namespace botfactory::channel {

DeltaCoalescer::DeltaCoalescer(CoalesceSettings settings, SteadyClock clock,
                               std::function<void(std::string_view)> sink)
    : settings_(settings), clock_(std::move(clock)), sink_(std::move(sink)) {}

void DeltaCoalescer::add(std::string_view delta) {
  if (delta.empty()) return;
  buffer_.append(delta);
  auto now = clock_();
  if (!flushed_once_ || buffer_.size() >= settings_.flush_bytes ||
      now - last_flush_ >= settings_.flush_interval) {
    flush(now);
  }
}

void DeltaCoalescer::finish() {
  if (!buffer_.empty()) flush(clock_());
}

void DeltaCoalescer::flush(std::chrono::steady_clock::time_point now) {
  sink_(buffer_);
  buffer_.clear();
  flushed_once_ = true;
  last_flush_ = now;
  ++flushes_;
}

}  // namespace botfactory::channel
