#pragma once
// harden: REST room posts (POST /api/v1/rooms/{id}/messages) under the same gateway-wide bound
// as WebSocket `message.send`: each holds one INGEST_MAX_IN_FLIGHT slot (ws/ingest_limiter.hpp)
// from admission until its answer (docs/protocol.md "Ingest push-back", docs/api.md "Rooms"),
// and (gwleft) its PostRoomMessage waits for one of the INGEST_MAX_CALLS places on the wire in
// the same FIFO as message.send (IngestLimiter::start_call, the I/O thread).

#include <functional>
#include <memory>
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

/// gwleft: a place among the INGEST_MAX_CALLS calls on the wire; given back (call_done() on the
/// I/O thread) when the last copy is destroyed. Null = not counted (no gate).
using IngestCallPlace = std::shared_ptr<const void>;

/// How an asynchronous REST post puts its call on the wire: `start` runs once a place is free
/// (maybe later, on the I/O thread) with that place; it must not block, and keeps the place
/// until the call's answer came.
using IngestCallGate = std::function<void(std::function<void(IngestCallPlace)> start)>;

/// The gate of `limiter`, whose I/O thread `run_on_io` posts a task to (never runs it inline).
/// Called on any thread (a worker): posts to the I/O thread, where limiter.start_call() runs
/// `start` at once while fewer than INGEST_MAX_CALLS calls are on the wire, else queues it
/// behind the waiting calls of WebSocket message.send, FIFO. Bounded: a post holds an
/// INGEST_MAX_IN_FLIGHT slot (take_ingest_slot()) before it reaches the gate. An exception from
/// `start` is logged and its place given back. `limiter` must outlive every place.
/// harden: `client_gone` (may be empty) runs on the I/O thread when the post's turn comes, just
/// before `start`; when it returns true the client left while the post waited: `start` is not
/// run but destroyed (nothing goes to channel-connector; its reply's slot is given back by
/// hold_ingest_slot()), the place goes to the next waiting call, and the skip is counted in
/// gateway_ingest_rejected_total{reason="client_gone"} (IngestLimiter::note_client_gone()).
IngestCallGate ingest_call_gate(std::function<void(std::function<void()>)> run_on_io,
                                IngestLimiter& limiter, std::function<bool()> client_gone = {});

}  // namespace botfactory::gateway
