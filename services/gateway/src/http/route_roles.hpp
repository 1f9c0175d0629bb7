#pragma once
// Team accounts: the least team role each REST endpoint needs, in ONE table (route_roles.cpp).
// Roles rank owner > admin > operator. Operators use conversations, the inbox, hand-off, rooms,
// files and read bots; admins also manage bots, knowledge, channels, provider keys, analytics and
// the team (but not billing and not owner-only team operations); the owner does everything.
// auth re-checks the team operations against the member's current role (team_service.hpp).

#include <string>

#include "botfactory/jwt/tokens.hpp"
#include "http/router.hpp"

namespace botfactory::gateway {

/// Team roles by rank.
enum class TeamRole { kOperator = 1, kAdmin = 2, kOwner = 3 };

/// The role a user token speaks for: its "role" claim; a token without one (signed before team
/// accounts existed, when every user owned its tenant) is the owner; an unknown value ranks
/// below operator (nothing above operator is allowed).
int token_role_rank(const jwt::Claims& claims);

/// The least role `endpoint` needs (operator for every endpoint not in the table, including the
/// public ones, which need no token at all).
TeamRole minimum_role(Endpoint endpoint);

/// For an endpoint above operator: 403 `forbidden` "this endpoint needs a user token" for a
/// visitor token, 403 `forbidden` "<role> role required: ..." for a user whose role ranks too low.
/// Throws ApiError; does nothing for operator-level endpoints.
void require_role(Endpoint endpoint, const jwt::Claims& claims);

}  // namespace botfactory::gateway
