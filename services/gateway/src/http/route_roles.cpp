#include "http/route_roles.hpp"

#include <array>
#include <utility>

#include "http/api_error.hpp"

namespace botfactory::gateway {
namespace {

/// Every endpoint that needs more than an operator. Anything not listed is operator-level.
constexpr std::array<std::pair<Endpoint, TeamRole>, 31> kMinimumRoles{{
    // Billing: the owner only.
    {Endpoint::kChangePlan, TeamRole::kOwner},
    {Endpoint::kDailyUsage, TeamRole::kAdmin},
    {Endpoint::kAnalytics, TeamRole::kAdmin},
    // Bots and their knowledge (reading bots and knowledge stays operator-level).
    {Endpoint::kCreateBot, TeamRole::kAdmin},
    {Endpoint::kUpdateBot, TeamRole::kAdmin},
    {Endpoint::kDeleteBot, TeamRole::kAdmin},
    {Endpoint::kAddKnowledge, TeamRole::kAdmin},
    {Endpoint::kDeleteKnowledge, TeamRole::kAdmin},
    {Endpoint::kDismissUnanswered, TeamRole::kAdmin},  // listing unanswered questions: operator
    // Channels (their settings hold credentials) and deliveries.
    {Endpoint::kCreateChannel, TeamRole::kAdmin},
    {Endpoint::kListChannels, TeamRole::kAdmin},
    {Endpoint::kDeleteChannel, TeamRole::kAdmin},
    {Endpoint::kListFailedDeliveries, TeamRole::kAdmin},
    {Endpoint::kReplayDeliveries, TeamRole::kAdmin},
    // Model provider keys.
    {Endpoint::kListProviderKeys, TeamRole::kAdmin},
    {Endpoint::kSetProviderKey, TeamRole::kAdmin},
    {Endpoint::kDeleteProviderKey, TeamRole::kAdmin},
    // The team (listing members is operator-level).
    {Endpoint::kCreateTeamInvite, TeamRole::kAdmin},
    {Endpoint::kRevokeTeamInvite, TeamRole::kAdmin},
    {Endpoint::kRemoveTeamMember, TeamRole::kAdmin},
    {Endpoint::kSetTeamMemberRole, TeamRole::kOwner},
    // Saved replies (listing them is operator-level: operators insert them into replies).
    {Endpoint::kCreateCanned, TeamRole::kAdmin},
    {Endpoint::kUpdateCanned, TeamRole::kAdmin},
    {Endpoint::kDeleteCanned, TeamRole::kAdmin},
    // Outgoing webhooks: every route (the endpoints receive every conversation's text).
    {Endpoint::kListWebhookEndpoints, TeamRole::kAdmin},
    {Endpoint::kCreateWebhookEndpoint, TeamRole::kAdmin},
    {Endpoint::kUpdateWebhookEndpoint, TeamRole::kAdmin},
    {Endpoint::kDeleteWebhookEndpoint, TeamRole::kAdmin},
    {Endpoint::kListWebhookDeliveries, TeamRole::kAdmin},
    {Endpoint::kTestWebhookEndpoint, TeamRole::kAdmin},
    {Endpoint::kRotateWebhookSecret, TeamRole::kAdmin},
}};

const char* role_name(TeamRole role) {
  switch (role) {
    case TeamRole::kOwner: return "owner";
    case TeamRole::kAdmin: return "admin";
    case TeamRole::kOperator: return "operator";
  }
  return "operator";
}

}  // namespace

int token_role_rank(const jwt::Claims& claims) {
  if (claims.role.empty() || claims.role == "owner") return static_cast<int>(TeamRole::kOwner);
  if (claims.role == "admin") return static_cast<int>(TeamRole::kAdmin);
  if (claims.role == "operator") return static_cast<int>(TeamRole::kOperator);
  return 0;
}

TeamRole minimum_role(Endpoint endpoint) {
  for (const auto& [e, role] : kMinimumRoles) {
    if (e == endpoint) return role;
  }
  return TeamRole::kOperator;
}

void require_role(Endpoint endpoint, const jwt::Claims& claims) {
  auto needed = minimum_role(endpoint);
  if (needed == TeamRole::kOperator) return;
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
  if (token_role_rank(claims) < static_cast<int>(needed)) {
    throw ApiError(403, "forbidden",
                   std::string(role_name(needed)) + " role required: your team role (" +
                       (claims.role.empty() ? "owner" : claims.role) + ") may not do this");
  }
}

}  // namespace botfactory::gateway
