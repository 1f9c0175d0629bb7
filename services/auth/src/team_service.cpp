#include "team_service.hpp"

#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "user_repository.hpp"

namespace botfactory::auth {
namespace {

constexpr std::size_t kInviteTokenBytes = 32;
constexpr int kOwner = 3;
constexpr int kAdmin = 2;
constexpr int kOperator = 1;

[[noreturn]] void deny(const std::string& message) {
  throw rpc::StatusError(grpc::StatusCode::PERMISSION_DENIED, "team_role: " + message);
}

[[noreturn]] void precondition(const std::string& code, const std::string& message) {
  throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, code + ": " + message);
}

[[noreturn]] void invalid_invite() {
  rpc::throw_not_found("invite_invalid: no such invite");
}

void require_member_role(const std::string& role) {
  if (role != "admin" && role != "operator") rpc::throw_invalid("role must be admin or operator");
}

std::string require_user_id(const std::string& user_id) {
  if (!common::is_uuid(user_id)) rpc::throw_not_found("member not found");
  return user_id;
}

/// The invite's state at `now_us` as an error, or nothing when it is usable.
void require_usable(const std::optional<InviteRecord>& invite, std::int64_t now_us) {
  if (!invite) invalid_invite();
  if (invite->revoked_at_us != 0) precondition("invite_revoked", "this invite was revoked");
  if (invite->used_at_us != 0) precondition("invite_used", "this invite was already used");
  if (invite->expires_at_us <= now_us) precondition("invite_expired", "this invite has expired");
}

std::optional<InviteRecord> find_by_token(pg::Connection& conn, const std::string& token,
                                          bool for_update) {
  if (token.empty() || token.size() > kMaxInviteTokenLength) invalid_invite();
  return team_repository::find_invite(conn, common::sha256_hex(token), for_update);
}

}  // namespace

int role_rank(const std::string& role) {
  if (role == "owner") return kOwner;
  if (role == "admin") return kAdmin;
  if (role == "operator") return kOperator;
  return 0;
}

TeamService::TeamService(std::shared_ptr<pg::Pool> pool, Clock clock,
                         std::shared_ptr<TokenRevocations> revocations)
    : pool_(std::move(pool)), clock_(std::move(clock)), revocations_(std::move(revocations)) {}

void TeamService::revoke_tokens(const std::string& user_id) {
  // After the commit, at the clock's now: every token signed before it (old role, or a login
  // that read the old standing) is refused by the gateway; later logins see the new standing.
  if (revocations_) revocations_->revoke(user_id, clock_() / 1000);
}

UserRecord TeamService::require_actor(pg::Connection& conn, const std::string& tenant_id,
                                      const std::string& actor_id, int min_rank) {
  rpc::require_tenant(tenant_id);
  if (!common::is_uuid(actor_id)) deny("not a member of this team");
  auto actor = team_repository::find_member(conn, tenant_id, actor_id);
  if (!actor) deny("not a member of this team");
  if (role_rank(actor->role) < min_rank) {
    deny(min_rank == kOwner ? "only the owner may do this" : "only the owner or an admin may do this");
  }
  return *actor;
}

CreatedInvite TeamService::create_invite(const std::string& tenant_id, const std::string& actor_id,
                                         const std::string& role, std::int64_t ttl_s) {
  require_member_role(role);
  if (ttl_s == 0) ttl_s = kDefaultInviteTtl.count();
  if (ttl_s < kMinInviteTtl.count() || ttl_s > kMaxInviteTtl.count()) {
    rpc::throw_invalid("ttl_seconds must be between 60 and 2592000 (30 days)");
  }
  auto now_us = clock_();
  auto conn = pool_->acquire();
  pg::Transaction tx(*conn);
  auto actor = require_actor(*conn, tenant_id, actor_id, kAdmin);
  team_repository::lock_tenant(*conn, tenant_id);
  if (team_repository::count_live_invites(*conn, tenant_id, now_us) >= kMaxLiveInvites) {
    precondition("too_many_invites", "at most " + std::to_string(kMaxLiveInvites) +
                                         " open invites per team; revoke some first");
  }
  CreatedInvite out;
  out.token = common::random_token(kInviteTokenBytes);
  out.invite = team_repository::insert_invite(*conn, tenant_id, common::sha256_hex(out.token), role,
                                              actor.id, now_us + ttl_s * 1'000'000);
  tx.commit();
  common::logger("auth")->info("team {}: {} invited a new {} (invite {})", tenant_id, actor.id,
                               role, out.invite.id);
  return out;
}

TeamView TeamService::list(const std::string& tenant_id, const std::string& actor_id) {
  auto conn = pool_->acquire();
  require_actor(*conn, tenant_id, actor_id, kOperator);
  TeamView view;
  view.members = team_repository::list_members(*conn, tenant_id);
  view.invites =
      team_repository::list_live_invites(*conn, tenant_id, clock_(), static_cast<int>(kMaxLiveInvites));
  return view;
}

void TeamService::remove_member(const std::string& tenant_id, const std::string& actor_id,
                                const std::string& user_id) {
  require_user_id(user_id);
  auto now_us = clock_();
  auto conn = pool_->acquire();
  pg::Transaction tx(*conn);
  auto actor = require_actor(*conn, tenant_id, actor_id, kAdmin);
  team_repository::lock_tenant(*conn, tenant_id);
  auto target = team_repository::find_member(*conn, tenant_id, user_id);
  if (!target) rpc::throw_not_found("member not found");
  if (target->role == "owner") deny("the owner cannot be removed");
  if (actor.role == "admin" && target->role != "operator") deny("admins may remove operators only");
  team_repository::mark_removed(*conn, target->id, now_us);
  auto revoked = user_repository::revoke_all_for_user(*conn, target->id, now_us);
  team_repository::revoke_invites_by(*conn, target->id, now_us);
  tx.commit();
  revoke_tokens(target->id);
  common::logger("auth")->info("team {}: {} removed {} ({}), {} refresh tokens revoked", tenant_id,
                               actor.id, target->id, target->role, revoked);
}

UserRecord TeamService::set_role(const std::string& tenant_id, const std::string& actor_id,
                                 const std::string& user_id, const std::string& role) {
  require_member_role(role);
  require_user_id(user_id);
  auto conn = pool_->acquire();
  pg::Transaction tx(*conn);
  require_actor(*conn, tenant_id, actor_id, kOwner);
  auto target = team_repository::find_member(*conn, tenant_id, user_id);
  if (!target) rpc::throw_not_found("member not found");
  if (target->role == "owner") deny("the owner's role cannot be changed");
  team_repository::set_role(*conn, target->id, role);
  tx.commit();
  if (target->role != role) revoke_tokens(target->id);
  target->role = role;
  return *target;
}

void TeamService::revoke_invite(const std::string& tenant_id, const std::string& actor_id,
                                const std::string& invite_id) {
  if (!common::is_uuid(invite_id)) rpc::throw_not_found("invite not found");
  auto conn = pool_->acquire();
  require_actor(*conn, tenant_id, actor_id, kAdmin);
  if (!team_repository::revoke_invite(*conn, tenant_id, invite_id, clock_())) {
    rpc::throw_not_found("invite not found");
  }
}

InviteRecord TeamService::resolve_invite(const std::string& token) {
  auto conn = pool_->acquire();
  auto invite = find_by_token(*conn, token, false);
  require_usable(invite, clock_());
  return *invite;
}

UserRecord TeamService::join(pg::Connection& conn, const std::string& token,
                             std::int32_t seat_limit, std::int64_t now_us,
                             const std::string& email, const std::string& username,
                             const std::string& password_hash) {
  auto invite = find_by_token(conn, token, true);
  require_usable(invite, now_us);
  team_repository::lock_tenant(conn, invite->tenant_id);
  if (seat_limit > 0 && team_repository::count_members(conn, invite->tenant_id) >= seat_limit) {
    precondition("seat_limit", "all " + std::to_string(seat_limit) +
                                   " seats of this team's plan are taken");
  }
  auto user = team_repository::insert_member(conn, invite->tenant_id, email, username,
                                             password_hash, invite->role);
  team_repository::mark_invite_used(conn, invite->id, user.id, now_us);
  return user;
}

}  // namespace botfactory::auth
