#pragma once
// Unanswered questions over REST (docs/api.md "Unanswered questions"): what visitors asked a bot
// that its knowledge base could not answer, and dismissing one. The data and the grouping live
// in channel-connector (ListUnansweredQuestions / DismissUnansweredQuestion, unanswered.proto);
// the route → minimum role table is http/route_roles.cpp (listing: operator, dismissing: admin).

#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// Serves Endpoint::kListUnanswered / kDismissUnanswered for a user token (403 for a visitor
/// token); `params[0]` is the bot id, which must be a bot of the caller's tenant (bot-registry
/// GetBot: 404 otherwise, like an unknown bot).
/// GET /api/v1/bots/{id}/unanswered?days=1..90 (30)&limit=1..200 (50) → 200 {"days",
///   "truncated", "questions": [{"key","text","count","first_asked_at","last_asked_at",
///   "last_conversation_id","language"}]} newest last_asked_at first.
/// POST /api/v1/bots/{id}/unanswered/dismiss {"key": "<key or any wording, 1..4000>"} → 200
///   {"key","dismissed_at"}. Throws ApiError: 400 validation_failed (days / limit out of range,
///   missing or bad key), 403, 404, 503.
HttpResponse unanswered_rest(const Upstreams& upstreams, const jwt::Claims& claims,
                             Endpoint endpoint, const std::vector<std::string>& params,
                             const HttpRequest& request);

}  // namespace botfactory::gateway
