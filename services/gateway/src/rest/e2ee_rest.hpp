#pragma once
// REST of end-to-end encrypted rooms (docs/api.md "End-to-end encrypted rooms",
// docs/e2ee.md): device public keys and room key wraps, each one channel-connector
// E2eeService call. Users only (403 forbidden for a visitor token).
//   PUT  /api/v1/e2ee/devices/{device_id}  {"public_key"} → 200 device (409 conflict: other key)
//   GET  /api/v1/e2ee/devices                          → 200 {"devices":[…]}
//   GET  /api/v1/rooms/{id}/e2ee?device_id=D           → 200 {key_epoch,key_id,devices,my_keys}
//   POST /api/v1/rooms/{id}/e2ee/keys {epoch,key_id,device_id,keys:[…]} → 200 {key_epoch,key_id,stored}
// Errors: 400 validation_failed / invalid_json, 404 not_found (not a member, another tenant),
// 409 conflict (room not e2ee), key_epoch_stale, key_conflict; 413 payload_too_large for a
// device body over 4 KiB (keys bodies are bounded by MAX_BODY_BYTES).

#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// Largest PUT /e2ee/devices/{id} body (bytes).
inline constexpr std::size_t kE2eeDeviceBodyBytes = 4096;

/// Serves one e2ee endpoint (Endpoint::kPutE2eeDevice … kPostRoomE2eeKeys) with its path
/// parameters. Throws ApiError.
HttpResponse e2ee_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                       const std::vector<std::string>& params, const HttpRequest& request);

}  // namespace botfactory::gateway
