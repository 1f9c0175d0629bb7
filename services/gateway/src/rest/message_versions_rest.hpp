#pragma once
// REST for editing and deleting (issue 11, docs/api.md "Message versions"): an admin of a
// conversation reads the earlier texts of one message.

#include <string>

#include "botfactory/jwt/tokens.hpp"
#include "http/http_message.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// GET /api/v1/conversations/{id}/messages/{seq}/versions with a user token (support
/// conversations: every user of the tenant is an admin; chat ListMessageVersions decides) →
/// 200 {"message": {…as in GET …/messages, "deleted" / "edited_at" when set},
/// "versions": [{"version","text","written_at","replaced_at","replaced_by":"edit"|"delete"}]},
/// oldest first. Throws ApiError: 400 validation_failed for a seq that is not an integer > 0,
/// 403 forbidden (not an admin), 404 not_found (no such conversation of the tenant or
/// message), 503.
HttpResponse list_message_versions(const Upstreams& upstreams, const jwt::Claims& user,
                                   const std::string& conversation_id, const std::string& seq);

}  // namespace botfactory::gateway
