#include "auth_grpc_service.hpp"

#include "botfactory/rpc/call_metrics.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::auth {
namespace {

constexpr const char* kService = "botfactory.auth.v1.AuthService";

void to_proto(const UserRecord& user, v1::User* out) {
  out->set_id(user.id);
  out->set_tenant_id(user.tenant_id);
  out->set_email(user.email);
  out->set_username(user.username);
  out->set_role(user.role);
  *out->mutable_created_at() = rpc::timestamp_from_micros(user.created_at_us);
}

void to_proto(const IssuedTokens& tokens, v1::TokenPair* out) {
  out->set_access_token(tokens.access_token);
  out->set_refresh_token(tokens.refresh_token);
  out->set_expires_in(tokens.expires_in);
  to_proto(tokens.user, out->mutable_user());
}

}  // namespace

grpc::Status AuthGrpcService::Register(grpc::ServerContext*, const v1::RegisterRequest* request,
                                       v1::User* response) {
  return rpc::metered_guard(kService, "Register", [&] {
    to_proto(authenticator_->register_user(request->email(), request->username(),
                                          request->password(), request->invite_token(),
                                          request->seat_limit()),
             response);
  });
}

grpc::Status AuthGrpcService::Login(grpc::ServerContext*, const v1::LoginRequest* request,
                                    v1::TokenPair* response) {
  return rpc::metered_guard(kService, "Login", [&] {
    to_proto(authenticator_->login(request->email(), request->password()), response);
  });
}

grpc::Status AuthGrpcService::Refresh(grpc::ServerContext*, const v1::RefreshRequest* request,
                                      v1::TokenPair* response) {
  return rpc::metered_guard(kService, "Refresh", [&] {
    to_proto(authenticator_->refresh(request->refresh_token()), response);
  });
}

grpc::Status AuthGrpcService::Logout(grpc::ServerContext*, const v1::LogoutRequest* request,
                                     v1::LogoutResponse*) {
  return rpc::metered_guard(kService, "Logout",
                            [&] { authenticator_->logout(request->refresh_token()); });
}

grpc::Status AuthGrpcService::GetUser(grpc::ServerContext*, const v1::GetUserRequest* request,
                                      v1::User* response) {
  return rpc::metered_guard(kService, "GetUser", [&] {
    to_proto(authenticator_->get_user(request->user_id()), response);
  });
}

grpc::Status AuthGrpcService::IssueVisitorToken(grpc::ServerContext*,
                                                const v1::IssueVisitorTokenRequest* request,
                                                v1::IssueVisitorTokenResponse* response) {
  return rpc::metered_guard(kService, "IssueVisitorToken", [&] {
    auto issued = authenticator_->issue_visitor_token(
        {request->tenant_id(), request->bot_id(), request->conversation_id(),
         request->visitor_id(), request->visitor_name(), request->origin()});
    response->set_token(issued.token);
    response->set_expires_in(issued.expires_in);
  });
}

}  // namespace botfactory::auth
