#pragma once
// The gRPC face of auth: converts messages and maps errors; the logic lives in Authenticator.

#include <memory>

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "authenticator.hpp"
#include "team_service.hpp"

namespace botfactory::auth {

/// botfactory.auth.v1.AuthService on top of a shared Authenticator.
/// Every RPC is wrapped in rpc::metered_guard (status mapping + per-RPC metrics).
class AuthGrpcService final : public botfactory::auth::v1::AuthService::Service {
 public:
  /// `team` defaults to a TeamService on the authenticator's pool, clock and revocations.
  explicit AuthGrpcService(std::shared_ptr<Authenticator> authenticator,
                           std::shared_ptr<TeamService> team = nullptr)
      : authenticator_(std::move(authenticator)),
        team_(team ? std::move(team)
                   : std::make_shared<TeamService>(authenticator_->pool(), authenticator_->clock(),
                                                   authenticator_->revocations())) {}

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

  // team (team_grpc_service.cpp)
  grpc::Status CreateTeamInvite(grpc::ServerContext* context, const v1::CreateTeamInviteRequest* request,
                                v1::CreatedTeamInvite* response) override;
  grpc::Status ListTeamMembers(grpc::ServerContext* context, const v1::ListTeamMembersRequest* request,
                               v1::ListTeamMembersResponse* response) override;
  grpc::Status RemoveTeamMember(grpc::ServerContext* context, const v1::RemoveTeamMemberRequest* request,
                                v1::RemoveTeamMemberResponse* response) override;
  grpc::Status SetTeamMemberRole(grpc::ServerContext* context, const v1::SetTeamMemberRoleRequest* request,
                                 v1::TeamMember* response) override;
  grpc::Status RevokeTeamInvite(grpc::ServerContext* context, const v1::RevokeTeamInviteRequest* request,
                                v1::RevokeTeamInviteResponse* response) override;
  grpc::Status ResolveTeamInvite(grpc::ServerContext* context, const v1::ResolveTeamInviteRequest* request,
                                 v1::TeamInvite* response) override;

 private:
  std::shared_ptr<Authenticator> authenticator_;
  std::shared_ptr<TeamService> team_;
};

}  // namespace botfactory::auth
