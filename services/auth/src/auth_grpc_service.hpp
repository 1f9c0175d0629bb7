#pragma once
// The gRPC face of auth: converts messages and maps errors; the logic lives in Authenticator.

#include <memory>

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "authenticator.hpp"

namespace botfactory::auth {

/// botfactory.auth.v1.AuthService on top of a shared Authenticator.
/// Every RPC is wrapped in rpc::metered_guard (status mapping + per-RPC metrics).
class AuthGrpcService final : public botfactory::auth::v1::AuthService::Service {
 public:
  explicit AuthGrpcService(std::shared_ptr<Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  grpc::Status Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                        v1::User* response) override;
  grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                     v1::TokenPair* response) override;
  grpc::Status Refresh(grpc::ServerContext* context, const v1::RefreshRequest* request,
                       v1::TokenPair* response) override;
  grpc::Status Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                      v1::LogoutResponse* response) override;
  grpc::Status GetUser(grpc::ServerContext* context, const v1::GetUserRequest* request,
                       v1::User* response) override;
  grpc::Status IssueVisitorToken(grpc::ServerContext* context,
                                 const v1::IssueVisitorTokenRequest* request,
                                 v1::IssueVisitorTokenResponse* response) override;

 private:
  std::shared_ptr<Authenticator> authenticator_;
};

}  // namespace botfactory::auth
