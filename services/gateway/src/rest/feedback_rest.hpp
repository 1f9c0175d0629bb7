#pragma once
// Answer feedback over REST (docs/api.md "Answer feedback"): a visitor rates a bot reply
// "up" / "down" with an optional comment; the widget replays its ratings; operators read them
// per conversation (inbox) and per bot (dashboard "Feedback" tab). The data and the rules live
// in channel-connector (SetMessageFeedback / ListConversationFeedback / ListBotFeedback,
// feedback.proto); every route is operator-level for user tokens (http/route_roles.cpp).

#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"

namespace botfactory::redis {
class Publisher;
}

namespace botfactory::gateway {

struct Upstreams;

/// Serves Endpoint::kSetMessageFeedback / kListConversationFeedback / kListBotFeedback.
/// PUT /api/v1/conversations/{id}/messages/{seq}/feedback {"rating": "up"|"down"|null,
///   "comment"?: "<one line, ≤ 500 code points>"} — a visitor token of that conversation only
///   (403 forbidden for another conversation's visitor or any user token) → 200 {"seq",
///   "rating" ("up"|"down"|null), "comment", "updated_at" (RFC 3339 or null)}.
/// GET /api/v1/conversations/{id}/feedback — its visitor, or a user of its tenant (404 for
///   another tenant's) → 200 {"feedback": [{"seq","rating","comment","updated_at"}]} seq order.
/// GET /api/v1/bots/{id}/feedback?days=1..90 (30)&rating=up|down|all (all)&limit=1..200 (50) —
///   user token, a bot of its tenant (404 otherwise) → 200 {"days","up","down","helpful_share"
///   (up / (up + down), null when none),"replies": [{"conversation_id","seq","rating","comment",
///   "rated_at","question","reply","replied_at"}]} newest rating first.
/// live: after a stored PUT, the `message.feedback` frame (chatwire/feedback_event.hpp, the
///   200 body plus type and conversation_id) is published on `publisher` (when not null) to
///   chat:conv:<id>, so every socket of the conversation on any replica (its visitor's other
///   tabs, the tenant's operators) sees it; best effort: a failed publish is logged, the 200
///   stands (docs/protocol.md "Answer feedback").
/// Throws ApiError: 400 validation_failed / invalid_json / invalid_argument, 403 forbidden,
/// 404 not_found (unknown conversation, seq or bot), 409 not_rateable (not a bot's answer), 503.
HttpResponse feedback_rest(const Upstreams& upstreams, const jwt::Claims& claims,
                           Endpoint endpoint, const std::vector<std::string>& params,
                           const HttpRequest& request, redis::Publisher* publisher = nullptr);

}  // namespace botfactory::gateway
