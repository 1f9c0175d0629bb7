#include "rest/rest_ingest_slot.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "botfactory/common/logging.hpp"
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

IngestCallGate ingest_call_gate(std::function<void(std::function<void()>)> run_on_io,
                                IngestLimiter& limiter, std::function<bool()> client_gone) {
  return [run_on_io = std::move(run_on_io), &limiter,
          client_gone = std::move(client_gone)](std::function<void(IngestCallPlace)> start) {
    run_on_io([run_on_io, &limiter, client_gone, start = std::move(start)] {
      // The I/O thread, now or when a place frees.
      limiter.start_call([run_on_io, &limiter, client_gone, start] {
        IngestCallPlace place(static_cast<const void*>(&limiter), [run_on_io, &limiter](const void*) {
          run_on_io([&limiter] { limiter.call_done(); });  // may start the next waiting call
        });
        if (client_gone && client_gone()) {  // harden: nobody waits for this answer any more
          limiter.note_client_gone();
          return;  // the place goes back (posted, not nested: the queue may be long)
        }
        try {
          start(std::move(place));
        } catch (const std::exception& e) {
          common::logger("rest")->error("an ingest call failed to start: {}", common::json_escape(e.what()));
        }
      });
    });
  };
}

}  // namespace botfactory::gateway
