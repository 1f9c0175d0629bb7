#include "rest/message_versions_rest.hpp"

#include <cstdint>

#include <boost/json.hpp>

#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/query_params.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {

HttpResponse list_message_versions(const Upstreams& upstreams, const jwt::Claims& user,
                                   const std::string& conversation_id, const std::string& seq) {
  auto number = parse_decimal(seq, 1, INT64_MAX);  // a path segment: the query's integer rule
  if (!number) throw ApiError(400, "validation_failed", "seq must be an integer > 0");
  chat::v1::ListMessageVersionsRequest request;
  request.set_tenant_id(user.tenant_id);
  request.set_conversation_id(conversation_id);
  request.set_seq(*number);
  request.mutable_actor()->set_kind(common::v1::SENDER_KIND_OPERATOR);
  request.mutable_actor()->set_id(user.subject);
  chat::v1::ListMessageVersionsResponse response;
  check(upstreams.call(*upstreams.chat, &ChatRpc::ListMessageVersions, request, response));
  boost::json::array versions;
  for (const auto& v : response.versions()) {
    versions.push_back(boost::json::object{{"version", v.version()},
                                           {"text", v.text()},
                                           {"written_at", rpc::rfc3339(v.written_at())},
                                           {"replaced_at", rpc::rfc3339(v.replaced_at())},
                                           {"replaced_by", v.replaced_by()}});
  }
  HttpResponse http;
  http.status = 200;
  http.body = boost::json::serialize(boost::json::object{
      {"message", message_json(response.message())}, {"versions", std::move(versions)}});
  return http;
}

}  // namespace botfactory::gateway
