#pragma once
// harden: REST room posts (POST /api/v1/rooms/{id}/messages) under the same gateway-wide bound
// as WebSocket `message.send`: each holds one INGEST_MAX_IN_FLIGHT slot (ws/ingest_limiter.hpp)
// from admission until its answer (docs/protocol.md "Ingest push-back", docs/api.md "Rooms").

#include <functional>
#include <optional>

#include "http/http_message.hpp"

namespace botfactory::gateway {

class IngestLimiter;

/// Takes one slot of `limiter` for a REST post. Returns nullopt when taken (the caller must then
/// answer through hold_ingest_slot()), else the refusal to send: 503 `unavailable` "the server
/// is busy, try again" with `Retry-After` = INGEST_MAX_QUEUE_WAIT_MS rounded up to whole
/// seconds (>= 1; RFC 9110 section 10.2.3). Nothing is sent upstream on a refusal. Counted in
/// gateway_ingest_rejected_total{reason="in_flight"} like a refused WebSocket message.
std::optional<HttpResponse> take_ingest_slot(IngestLimiter& limiter);

/// `reply` wrapped so that the slot taken by take_ingest_slot() is given back exactly once: when
/// the wrapper is first called (before `reply` runs), or when the last copy of the wrapper is
/// destroyed uncalled (an abandoned request). `limiter` must outlive every copy.
std::function<void(HttpResponse)> hold_ingest_slot(IngestLimiter& limiter,
                                                   std::function<void(HttpResponse)> reply);

}  // namespace botfactory::gateway
