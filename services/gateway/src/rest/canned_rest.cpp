#include "rest/canned_rest.hpp"

#include <optional>

#include <boost/json.hpp>

#include "botfactory/chat/v1/canned_responses.grpc.pb.h"
#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/json_response.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;
using CannedRpc = chat::v1::CannedResponseService::StubInterface;

/// One call to CannedResponseService on the channel-connector channel (dependency "chat": the
/// stub is made per call — stubs are cheap views of the shared channel). A limit refusal
/// (FAILED_PRECONDITION "canned_limit: …") becomes 409 `canned_limit`; the rest as
/// api_error_from_grpc (ALREADY_EXISTS → 409 `conflict`).
template <typename Request, typename Response>
void call(const Upstreams& upstreams,
          grpc::Status (CannedRpc::*method)(grpc::ClientContext*, const Request&, Response*),
          const Request& request, Response& response) {
  auto stub = chat::v1::CannedResponseService::NewStub(upstreams.chat_channel);
  CannedRpc& rpc = *stub;
  auto status = upstreams.call(rpc, method, request, response);
  refuse_if_tagged(status, grpc::StatusCode::FAILED_PRECONDITION, "canned_limit", 409, "canned_limit");
  refuse_if_tagged(status, grpc::StatusCode::ALREADY_EXISTS, "canned_duplicate", 409, "conflict");
  check(status);
}

json::object canned_json(const chat::v1::CannedResponse& c) {
  return {{"id", c.id()},
          {"short_code", c.short_code()},
          {"content", c.content()},
          {"created_at", rpc::rfc3339(c.created_at())},
          {"updated_at", rpc::rfc3339(c.updated_at())}};
}

/// The string member `key` of `body`: nullopt when absent (and not `required`); 400 when it is
/// not a string (or absent and required).
std::optional<std::string> string_field(const json::object& body, const char* key, bool required) {
  auto* value = body.if_contains(key);
  if (value == nullptr) {
    if (required) throw ApiError(400, "validation_failed", std::string(key) + " is required");
    return std::nullopt;
  }
  if (!value->is_string()) {
    throw ApiError(400, "validation_failed", std::string(key) + " must be a string");
  }
  return std::string(value->as_string());
}

}  // namespace

HttpResponse canned_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                         const std::vector<std::string>& params, const HttpRequest& request) {
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
  switch (endpoint) {
    case Endpoint::kListCanned: {
      chat::v1::ListCannedResponsesRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      if (auto q = request.query.find("q"); q != request.query.end()) rpc_request.set_query(q->second);
      chat::v1::ListCannedResponsesResponse response;
      call(upstreams, &CannedRpc::ListCannedResponses, rpc_request, response);
      json::array items;
      for (const auto& c : response.canned_responses()) items.push_back(canned_json(c));
      return json_response(200, json::object{{"canned_responses", std::move(items)},
                                             {"total", response.total()},
                                             {"max", response.max()}});
    }
    case Endpoint::kCreateCanned: {
      auto body = parse_json_object(request.body);
      chat::v1::CreateCannedResponseRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_short_code(*string_field(body, "short_code", true));
      rpc_request.set_content(*string_field(body, "content", true));
      chat::v1::CannedResponse response;
      call(upstreams, &CannedRpc::CreateCannedResponse, rpc_request, response);
      return json_response(201, canned_json(response));
    }
    case Endpoint::kUpdateCanned: {
      auto body = parse_json_object(request.body);
      chat::v1::UpdateCannedResponseRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_id(params.at(0));
      auto code = string_field(body, "short_code", false);
      auto content = string_field(body, "content", false);
      if (!code && !content) {
        throw ApiError(400, "validation_failed", "give short_code, content or both");
      }
      if (code) rpc_request.set_short_code(*code);
      if (content) rpc_request.set_content(*content);
      chat::v1::CannedResponse response;
      call(upstreams, &CannedRpc::UpdateCannedResponse, rpc_request, response);
      return json_response(200, canned_json(response));
    }
    default: {
      chat::v1::DeleteCannedResponseRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_id(params.at(0));
      chat::v1::DeleteCannedResponseResponse response;
      call(upstreams, &CannedRpc::DeleteCannedResponse, rpc_request, response);
      HttpResponse no_content;
      no_content.status = 204;
      no_content.content_type.clear();
      return no_content;
    }
  }
}

}  // namespace botfactory::gateway
