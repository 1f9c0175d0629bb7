#include "rest/unanswered_rest.hpp"

#include <boost/json.hpp>

#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"
#include "rest/json_response.hpp"
#include "rest/query_params.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

/// 404 unless `bot_id` is a bot of `tenant_id` (another tenant's bot looks unknown).
void require_own_bot(const Upstreams& upstreams, const std::string& tenant_id,
                     const std::string& bot_id) {
  registry::v1::GetBotRequest request;
  request.set_tenant_id(tenant_id);
  request.set_bot_id(bot_id);
  registry::v1::Bot bot;
  check(upstreams.call(*upstreams.registry, &RegistryRpc::GetBot, request, bot));
}

json::object question_json(const chat::v1::UnansweredQuestion& q) {
  return {{"key", q.key()},
          {"text", q.text()},
          {"count", q.count()},
          {"first_asked_at", rpc::rfc3339(q.first_asked_at())},
          {"last_asked_at", rpc::rfc3339(q.last_asked_at())},
          {"last_conversation_id", q.last_conversation_id()},
          {"language", q.language()}};
}

}  // namespace

HttpResponse unanswered_rest(const Upstreams& upstreams, const jwt::Claims& claims,
                             Endpoint endpoint, const std::vector<std::string>& params,
                             const HttpRequest& request) {
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
  const std::string& bot_id = params.at(0);
  if (endpoint == Endpoint::kListUnanswered) {
    chat::v1::ListUnansweredQuestionsRequest rpc_request;
    rpc_request.set_days(static_cast<int>(query_int(request, "days", 0, 1, 90)));
    rpc_request.set_limit(static_cast<int>(query_int(request, "limit", 0, 1, 200)));
    require_own_bot(upstreams, claims.tenant_id, bot_id);
    rpc_request.set_tenant_id(claims.tenant_id);
    rpc_request.set_bot_id(bot_id);
    chat::v1::ListUnansweredQuestionsResponse response;
    check(upstreams.call(*upstreams.chat, &ChatRpc::ListUnansweredQuestions, rpc_request, response));
    json::array questions;
    for (const auto& q : response.questions()) questions.push_back(question_json(q));
    return json_response(200, json::object{{"days", response.days()},
                                           {"truncated", response.truncated()},
                                           {"questions", std::move(questions)}});
  }
  auto body = parse_json_object(request.body);
  auto it = body.find("key");
  if (it == body.end() || !it->value().is_string() || it->value().as_string().empty()) {
    throw ApiError(400, "validation_failed", "key must be a non-empty string");
  }
  require_own_bot(upstreams, claims.tenant_id, bot_id);
  chat::v1::DismissUnansweredQuestionRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_key(std::string(it->value().as_string()));
  chat::v1::DismissUnansweredQuestionResponse response;
  check(upstreams.call(*upstreams.chat, &ChatRpc::DismissUnansweredQuestion, rpc_request, response));
  return json_response(200, json::object{{"key", response.key()},
                                         {"dismissed_at", rpc::rfc3339(response.dismissed_at())}});
}

}  // namespace botfactory::gateway
