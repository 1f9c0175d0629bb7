#pragma once
// REST for rooms (docs/api.md "Rooms"): /api/v1/rooms … , each one channel-connector RoomService
// call (proto/botfactory/chat/v1/rooms.proto) as the token's holder: a user of the tenant, or a
// widget visitor (public rooms only; its id is the visitor token's sub, stable across
// reconnects and renewals). Access: only members read or write a room; 403 forbidden for a
// non-member of a public room, 404 not_found for another tenant's room or a private room one
// is not in.

#include <functional>
#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"
#include "rest/rest_ingest_slot.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// Serves one rooms endpoint (Endpoint::kCreateRoom … kSetRoomBot) with path parameters
/// `params` (room id first). Throws ApiError: 400 validation_failed, 403 forbidden, 404
/// not_found, 409 conflict, 429 rate_limited (posting), 503 unavailable.
HttpResponse rooms_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                        const std::vector<std::string>& params, const HttpRequest& request);

/// roomcore: POST /api/v1/rooms/{id}/messages (`room_id`) without waiting: the actor and body
/// are checked on the calling thread (ApiError thrown as rooms_rest would: 400, 401 …; a
/// user's name comes from auth GetUser, blocking), then PostRoomMessage goes out on gRPC's
/// callback API and `reply` gets 201 (200 for a duplicate client_id) with the message, or the
/// error (api_error_from_grpc), once, on a gRPC thread (inline when the breaker is open).
/// gwleft: with a `gate` (ingest_call_gate(), INGEST_MAX_CALLS) the call goes out when the gate
/// gives it a place, held until the answer; without one at once. `upstreams` must outlive it.
void post_room_message_async(const Upstreams& upstreams, const jwt::Claims& claims,
                             const std::string& room_id, const HttpRequest& request,
                             const std::function<void(HttpResponse)>& reply,
                             const IngestCallGate& gate = {});

}  // namespace botfactory::gateway
