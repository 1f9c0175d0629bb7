#include "rest/team_rest.hpp"

#include <array>
#include <string_view>

#include <boost/json.hpp>

#include "botfactory/common/logging.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"
#include "rest/json_response.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;
namespace av1 = auth::v1;

HttpResponse no_content() {
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

template <typename Request, typename Response>
Response call(const Upstreams& upstreams, UnaryMethod<AuthRpc, Request, Response> method,
              const Request& request) {
  Response response;
  check(upstreams.call(*upstreams.auth, method, request, response));
  return response;
}

std::string role_field(const json::object& body) {
  auto it = body.find("role");
  if (it == body.end() || !it->value().is_string()) {
    throw ApiError(400, "validation_failed", "role must be \"admin\" or \"operator\"");
  }
  return std::string(it->value().as_string());
}

std::int64_t ttl_field(const json::object& body) {
  auto it = body.find("ttl_seconds");
  if (it == body.end() || it->value().is_null()) return 0;
  if (!it->value().is_int64() || it->value().as_int64() < 1) {
    throw ApiError(400, "validation_failed", "ttl_seconds must be an integer between 60 and 2592000");
  }
  return it->value().as_int64();
}

json::object member_json(const av1::TeamMember& m) {
  return {{"user_id", m.user_id()},
          {"email", m.email()},
          {"username", m.username()},
          {"role", m.role()},
          {"joined_at", rpc::rfc3339(m.joined_at())}};
}

json::object invite_json(const av1::TeamInvite& i) {
  return {{"invite_id", i.id()},
          {"role", i.role()},
          {"created_by", i.created_by()},
          {"created_at", rpc::rfc3339(i.created_at())},
          {"expires_at", rpc::rfc3339(i.expires_at())}};
}

/// The tenant's seat allowance, or nullopt when subscription does not answer.
std::optional<std::int32_t> seat_limit(const Upstreams& upstreams, const std::string& tenant_id) {
  billing::v1::GetSubscriptionRequest request;
  request.set_tenant_id(tenant_id);
  billing::v1::Subscription subscription;
  auto status =
      upstreams.call(*upstreams.subscription, &BillingRpc::GetSubscription, request, subscription);
  if (!status.ok()) return std::nullopt;
  return subscription.plan().limits().max_seats();
}

HttpResponse list_members(const Upstreams& upstreams, const jwt::Claims& claims) {
  av1::ListTeamMembersRequest request;
  request.set_tenant_id(claims.tenant_id);
  request.set_actor_user_id(claims.subject);
  auto team = call(upstreams, &AuthRpc::ListTeamMembers, request);
  json::array members;
  for (const auto& m : team.members()) members.push_back(member_json(m));
  json::array invites;
  for (const auto& i : team.invites()) invites.push_back(invite_json(i));
  auto limit = seat_limit(upstreams, claims.tenant_id);
  json::object seats{{"used", team.members_size()},
                     {"limit", limit && *limit > 0 ? json::value(*limit) : json::value(nullptr)}};
  return json_response(200, json::object{{"members", std::move(members)},
                                         {"invites", std::move(invites)},
                                         {"seats", std::move(seats)}});
}

}  // namespace

HttpResponse team_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                       const std::vector<std::string>& params, const HttpRequest& request) {
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
  const std::string id = params.empty() ? std::string() : params[0];
  switch (endpoint) {
    case Endpoint::kCreateTeamInvite: {
      auto body = parse_json_object(request.body);
      av1::CreateTeamInviteRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_actor_user_id(claims.subject);
      rpc_request.set_role(role_field(body));
      rpc_request.set_ttl_seconds(ttl_field(body));
      auto created = call(upstreams, &AuthRpc::CreateTeamInvite, rpc_request);
      auto response = json_response(201, json::object{{"invite_id", created.invite().id()},
                                                      {"token", created.token()},
                                                      {"role", created.invite().role()},
                                                      {"expires_at", rpc::rfc3339(created.invite().expires_at())}});
      response.headers.emplace_back("Cache-Control", "no-store");  // the token is shown once
      return response;
    }
    case Endpoint::kListTeamMembers: return list_members(upstreams, claims);
    case Endpoint::kRemoveTeamMember: {
      av1::RemoveTeamMemberRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_actor_user_id(claims.subject);
      rpc_request.set_user_id(id);
      call(upstreams, &AuthRpc::RemoveTeamMember, rpc_request);
      return no_content();
    }
    case Endpoint::kSetTeamMemberRole: {
      auto body = parse_json_object(request.body);
      av1::SetTeamMemberRoleRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_actor_user_id(claims.subject);
      rpc_request.set_user_id(id);
      rpc_request.set_role(role_field(body));
      return json_response(200, member_json(call(upstreams, &AuthRpc::SetTeamMemberRole, rpc_request)));
    }
    case Endpoint::kRevokeTeamInvite: {
      av1::RevokeTeamInviteRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_actor_user_id(claims.subject);
      rpc_request.set_invite_id(id);
      call(upstreams, &AuthRpc::RevokeTeamInvite, rpc_request);
      return no_content();
    }
    default: break;
  }
  throw ApiError(404, "not_found", "no such endpoint");
}

HttpResponse register_with_invite(const Upstreams& upstreams, const std::string& email,
                                  const std::string& username, const std::string& password,
                                  const std::string& invite_token) {
  av1::ResolveTeamInviteRequest resolve;
  resolve.set_token(invite_token);
  auto invite = call(upstreams, &AuthRpc::ResolveTeamInvite, resolve);
  auto seats = seat_limit(upstreams, invite.tenant_id());
  if (!seats) throw ApiError(503, "unavailable", "the subscription service is unavailable, try again");
  av1::RegisterRequest request;
  request.set_email(email);
  request.set_username(username);
  request.set_password(password);
  request.set_invite_token(invite_token);
  request.set_seat_limit(*seats);
  auto user = call(upstreams, &AuthRpc::Register, request);
  auto response = json_response(201, user_json(user));
  response.headers.emplace_back("Location", "/api/v1/users/me");
  return response;
}

std::optional<ApiError> team_api_error(const grpc::Status& status) {
  static constexpr std::array<std::string_view, 5> kConflicts{
      "invite_used", "invite_revoked", "invite_expired", "seat_limit", "too_many_invites"};
  const std::string& message = status.error_message();
  auto colon = message.find(": ");
  if (status.ok() || colon == std::string::npos) return std::nullopt;
  std::string_view code(message.data(), colon);
  std::string text = message.substr(colon + 2);
  if (code == "team_role" && status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return ApiError(403, "forbidden", text);
  }
  if (code == "invite_invalid" && status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return ApiError(404, "invite_invalid", text);
  }
  if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) return std::nullopt;
  for (auto known : kConflicts) {
    if (code == known) return ApiError(409, std::string(code), text);
  }
  return std::nullopt;
}

}  // namespace botfactory::gateway
