#include "rest/rest_ingest_slot.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "http/api_error.hpp"
#include "ws/ingest_limiter.hpp"

namespace botfactory::gateway {
namespace {

/// One taken slot; given back once (release() or the destructor).
class Slot {
 public:
  explicit Slot(IngestLimiter& limiter) : limiter_(limiter) {}
  ~Slot() { release(); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  void release() {
    if (!released_.exchange(true)) limiter_.release();
  }

 private:
  IngestLimiter& limiter_;
  std::atomic<bool> released_{false};
};

}  // namespace

std::optional<HttpResponse> take_ingest_slot(IngestLimiter& limiter) {
  if (limiter.try_acquire()) return std::nullopt;
  auto seconds = std::max<std::int64_t>(1, (limiter.retry_after_ms() + 999) / 1000);
  return error_response(ApiError(503, "unavailable", "the server is busy, try again")
                            .with_retry_after(static_cast<int>(seconds)));
}

std::function<void(HttpResponse)> hold_ingest_slot(IngestLimiter& limiter,
                                                   std::function<void(HttpResponse)> reply) {
  auto slot = std::make_shared<Slot>(limiter);
  return [slot, reply = std::move(reply)](HttpResponse response) {
    slot->release();
    reply(std::move(response));
  };
}

}  // namespace botfactory::gateway
