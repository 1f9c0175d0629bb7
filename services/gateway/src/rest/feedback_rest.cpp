#include "rest/feedback_rest.hpp"

#include <cstdint>

#include <boost/json.hpp>

#include "botfactory/chatwire/feedback_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/json_response.hpp"
#include "rest/query_params.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

json::value rating_json(chat::v1::FeedbackRating rating) {
  switch (rating) {
    case chat::v1::FEEDBACK_RATING_UP: return "up";
    case chat::v1::FEEDBACK_RATING_DOWN: return "down";
    default: return nullptr;
  }
}

json::object feedback_json(const chat::v1::MessageFeedback& f) {
  return {{"seq", f.seq()},
          {"rating", rating_json(f.rating())},
          {"comment", f.comment()},
          {"updated_at", f.has_updated_at() ? json::value(rpc::rfc3339(f.updated_at())) : json::value(nullptr)}};
}

/// The status of a feedback call as ApiError: "not_rateable: …" → 409 not_rateable, the rest as
/// every upstream call (api_error_from_grpc).
void check_feedback(const grpc::Status& status) {
  if (status.ok()) return;
  constexpr std::string_view kPrefix = "not_rateable: ";
  const auto& message = status.error_message();
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
      message.compare(0, kPrefix.size(), kPrefix) == 0) {
    throw ApiError(409, "not_rateable", message.substr(kPrefix.size()));
  }
  check(status);
}

/// live: the stored rating to the conversation's sockets on every replica (best effort).
void publish_feedback(redis::Publisher* publisher, const std::string& conversation_id,
                      const chat::v1::MessageFeedback& feedback) {
  if (publisher == nullptr) return;
  if (publisher->publish(chatwire::conversation_channel(conversation_id),
                         chatwire::encode_message_feedback(conversation_id, feedback)) < 0) {
    common::logger("feedback")->warn("conversation {}: publishing message.feedback failed",
                                     conversation_id);
  }
}

HttpResponse set_feedback(const Upstreams& upstreams, const jwt::Claims& claims,
                          const std::string& conversation_id, const std::string& seq_text,
                          const HttpRequest& request, redis::Publisher* publisher) {
  if (claims.kind != jwt::TokenKind::kVisitor) {
    throw ApiError(403, "forbidden", "only the conversation's visitor may rate its replies");
  }
  if (claims.conversation_id != conversation_id) {
    throw ApiError(403, "forbidden", "a visitor may rate only its own conversation");
  }
  auto seq = parse_decimal(seq_text, 1, INT64_MAX);  // a path segment: the query's integer rule
  if (!seq) throw ApiError(400, "validation_failed", "seq must be an integer > 0");
  auto body = parse_json_object(request.body);  // 400 invalid_json / invalid_argument (controls)
  chat::v1::SetMessageFeedbackRequest rpc_request;
  auto rating = body.find("rating");
  if (rating == body.end()) throw ApiError(400, "validation_failed", "rating is required (\"up\", \"down\" or null)");
  if (rating->value().is_null()) {
    rpc_request.set_rating(chat::v1::FEEDBACK_RATING_UNSPECIFIED);
  } else if (rating->value().is_string() && rating->value().as_string() == "up") {
    rpc_request.set_rating(chat::v1::FEEDBACK_RATING_UP);
  } else if (rating->value().is_string() && rating->value().as_string() == "down") {
    rpc_request.set_rating(chat::v1::FEEDBACK_RATING_DOWN);
  } else {
    throw ApiError(400, "validation_failed", "rating must be \"up\", \"down\" or null");
  }
  if (auto comment = body.find("comment"); comment != body.end() && !comment->value().is_null()) {
    if (!comment->value().is_string()) throw ApiError(400, "validation_failed", "comment must be a string");
    rpc_request.set_comment(std::string(comment->value().as_string()));
  }
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_conversation_id(conversation_id);
  rpc_request.set_seq(*seq);
  chat::v1::MessageFeedback response;
  check_feedback(upstreams.call(*upstreams.chat, &ChatRpc::SetMessageFeedback, rpc_request, response));
  publish_feedback(publisher, conversation_id, response);
  return json_response(200, feedback_json(response));
}

HttpResponse list_conversation_feedback(const Upstreams& upstreams, const jwt::Claims& claims,
                                        const std::string& conversation_id) {
  if (claims.kind == jwt::TokenKind::kVisitor && claims.conversation_id != conversation_id) {
    throw ApiError(403, "forbidden", "a visitor may read only its own conversation");
  }
  chat::v1::ListConversationFeedbackRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_conversation_id(conversation_id);
  chat::v1::ListConversationFeedbackResponse response;
  check_feedback(upstreams.call(*upstreams.chat, &ChatRpc::ListConversationFeedback, rpc_request, response));
  json::array rows;
  for (const auto& f : response.feedback()) rows.push_back(feedback_json(f));
  return json_response(200, json::object{{"feedback", std::move(rows)}});
}

HttpResponse list_bot_feedback(const Upstreams& upstreams, const jwt::Claims& claims,
                               const std::string& bot_id, const HttpRequest& request) {
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
  chat::v1::ListBotFeedbackRequest rpc_request;
  rpc_request.set_days(static_cast<int>(query_int(request, "days", 0, 1, 90)));  // 0: the service's default
  rpc_request.set_limit(static_cast<int>(query_int(request, "limit", 0, 1, 200)));
  if (auto it = request.query.find("rating"); it != request.query.end() && !it->second.empty()) {
    if (it->second == "up") {
      rpc_request.set_rating(chat::v1::FEEDBACK_RATING_UP);
    } else if (it->second == "down") {
      rpc_request.set_rating(chat::v1::FEEDBACK_RATING_DOWN);
    } else if (it->second != "all") {
      throw ApiError(400, "validation_failed", "rating must be up, down or all");
    }
  }
  {  // 404 unless the bot is the caller's tenant's (another tenant's bot looks unknown)
    registry::v1::GetBotRequest get;
    get.set_tenant_id(claims.tenant_id);
    get.set_bot_id(bot_id);
    registry::v1::Bot bot;
    check(upstreams.call(*upstreams.registry, &RegistryRpc::GetBot, get, bot));
  }
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  chat::v1::ListBotFeedbackResponse response;
  check_feedback(upstreams.call(*upstreams.chat, &ChatRpc::ListBotFeedback, rpc_request, response));
  json::array replies;
  for (const auto& r : response.replies()) {
    replies.push_back(json::object{{"conversation_id", r.conversation_id()},
                                   {"seq", r.seq()},
                                   {"rating", rating_json(r.rating())},
                                   {"comment", r.comment()},
                                   {"rated_at", rpc::rfc3339(r.rated_at())},
                                   {"question", r.question()},
                                   {"reply", r.reply()},
                                   {"replied_at", rpc::rfc3339(r.replied_at())}});
  }
  json::value share = nullptr;
  if (response.up() + response.down() > 0) {
    share = static_cast<double>(response.up()) / static_cast<double>(response.up() + response.down());
  }
  return json_response(200, json::object{{"days", response.days()},
                                         {"up", response.up()},
                                         {"down", response.down()},
                                         {"helpful_share", share},
                                         {"replies", std::move(replies)}});
}

}  // namespace

HttpResponse feedback_rest(const Upstreams& upstreams, const jwt::Claims& claims,
                           Endpoint endpoint, const std::vector<std::string>& params,
                           const HttpRequest& request, redis::Publisher* publisher) {
  switch (endpoint) {
    case Endpoint::kSetMessageFeedback:
      return set_feedback(upstreams, claims, params.at(0), params.at(1), request, publisher);
    case Endpoint::kListConversationFeedback:
      return list_conversation_feedback(upstreams, claims, params.at(0));
    default:
      return list_bot_feedback(upstreams, claims, params.at(0), request);
  }
}

}  // namespace botfactory::gateway
