// The team RPCs of AuthGrpcService (team accounts): message conversion only; the rules live in
// TeamService (team_service.hpp).
#include "auth_grpc_service.hpp"
#include "botfactory/rpc/call_metrics.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::auth {
namespace {

constexpr const char* kService = "botfactory.auth.v1.AuthService";

void to_proto(const UserRecord& user, v1::TeamMember* out) {
  out->set_user_id(user.id);
  out->set_email(user.email);
  out->set_username(user.username);
  out->set_role(user.role);
  *out->mutable_joined_at() = rpc::timestamp_from_micros(user.created_at_us);
}

void to_proto(const InviteRecord& invite, v1::TeamInvite* out) {
  out->set_id(invite.id);
  out->set_tenant_id(invite.tenant_id);
  out->set_role(invite.role);
  out->set_created_by(invite.created_by);
  *out->mutable_created_at() = rpc::timestamp_from_micros(invite.created_at_us);
  *out->mutable_expires_at() = rpc::timestamp_from_micros(invite.expires_at_us);
}

}  // namespace

grpc::Status AuthGrpcService::CreateTeamInvite(grpc::ServerContext*,
                                               const v1::CreateTeamInviteRequest* request,
                                               v1::CreatedTeamInvite* response) {
  return rpc::metered_guard(kService, "CreateTeamInvite", [&] {
    auto created = team_->create_invite(request->tenant_id(), request->actor_user_id(),
                                        request->role(), request->ttl_seconds());
    to_proto(created.invite, response->mutable_invite());
    response->set_token(created.token);
  });
}

grpc::Status AuthGrpcService::ListTeamMembers(grpc::ServerContext*,
                                              const v1::ListTeamMembersRequest* request,
                                              v1::ListTeamMembersResponse* response) {
  return rpc::metered_guard(kService, "ListTeamMembers", [&] {
    auto view = team_->list(request->tenant_id(), request->actor_user_id());
    for (const auto& m : view.members) to_proto(m, response->add_members());
    for (const auto& i : view.invites) to_proto(i, response->add_invites());
  });
}

grpc::Status AuthGrpcService::RemoveTeamMember(grpc::ServerContext*,
                                               const v1::RemoveTeamMemberRequest* request,
                                               v1::RemoveTeamMemberResponse*) {
  return rpc::metered_guard(kService, "RemoveTeamMember", [&] {
    team_->remove_member(request->tenant_id(), request->actor_user_id(), request->user_id());
  });
}

grpc::Status AuthGrpcService::SetTeamMemberRole(grpc::ServerContext*,
                                                const v1::SetTeamMemberRoleRequest* request,
                                                v1::TeamMember* response) {
  return rpc::metered_guard(kService, "SetTeamMemberRole", [&] {
    to_proto(team_->set_role(request->tenant_id(), request->actor_user_id(), request->user_id(),
                             request->role()),
             response);
  });
}

grpc::Status AuthGrpcService::RevokeTeamInvite(grpc::ServerContext*,
                                               const v1::RevokeTeamInviteRequest* request,
                                               v1::RevokeTeamInviteResponse*) {
  return rpc::metered_guard(kService, "RevokeTeamInvite", [&] {
    team_->revoke_invite(request->tenant_id(), request->actor_user_id(), request->invite_id());
  });
}

grpc::Status AuthGrpcService::ResolveTeamInvite(grpc::ServerContext*,
                                                const v1::ResolveTeamInviteRequest* request,
                                                v1::TeamInvite* response) {
  return rpc::metered_guard(kService, "ResolveTeamInvite",
                            [&] { to_proto(team_->resolve_invite(request->token()), response); });
}

}  // namespace botfactory::auth
