// Team accounts: the gateway's route → minimum role table (http/route_roles.cpp).
#include <catch2/catch.hpp>

#include "http/api_error.hpp"
#include "http/route_roles.hpp"

using namespace botfactory;
using namespace botfactory::gateway;

namespace {

jwt::Claims user(const std::string& role) {
  jwt::Claims c;
  c.kind = jwt::TokenKind::kUser;
  c.subject = "u";
  c.tenant_id = "t";
  c.role = role;
  return c;
}

int status_of(Endpoint e, const jwt::Claims& c) {
  try {
    require_role(e, c);
    return 200;
  } catch (const ApiError& err) {
    return err.status();
  }
}

}  // namespace

TEST_CASE("route roles: operators use the chat, admins manage, only the owner bills and sets roles") {
  for (auto e : {Endpoint::kListTenantConversations, Endpoint::kTakeover, Endpoint::kListBots,
                 Endpoint::kGetBot, Endpoint::kPostRoomMessage, Endpoint::kUploadAttachment,
                 Endpoint::kListTeamMembers, Endpoint::kCurrentSubscription, Endpoint::kListUnanswered,
                 Endpoint::kListBotFeedback, Endpoint::kListCanned}) {
    CHECK(status_of(e, user("operator")) == 200);
  }
  for (auto e : {Endpoint::kCreateBot, Endpoint::kUpdateBot, Endpoint::kDeleteBot,
                 Endpoint::kAddKnowledge, Endpoint::kCreateChannel, Endpoint::kListChannels,
                 Endpoint::kSetProviderKey, Endpoint::kCreateTeamInvite, Endpoint::kRemoveTeamMember,
                 Endpoint::kDismissUnanswered, Endpoint::kCreateCanned, Endpoint::kUpdateCanned,
                 Endpoint::kDeleteCanned,
                 // hooks: every outgoing-webhook route, listing included
                 Endpoint::kListWebhookEndpoints, Endpoint::kCreateWebhookEndpoint,
                 Endpoint::kUpdateWebhookEndpoint, Endpoint::kDeleteWebhookEndpoint,
                 Endpoint::kListWebhookDeliveries, Endpoint::kTestWebhookEndpoint,
                 Endpoint::kRotateWebhookSecret}) {
    CHECK(status_of(e, user("operator")) == 403);
    CHECK(status_of(e, user("admin")) == 200);
    CHECK(status_of(e, user("owner")) == 200);
  }
  for (auto e : {Endpoint::kChangePlan, Endpoint::kSetTeamMemberRole}) {
    CHECK(status_of(e, user("admin")) == 403);
    CHECK(status_of(e, user("owner")) == 200);
  }
  // A token from before team accounts (no role claim) is its tenant's owner.
  CHECK(status_of(Endpoint::kChangePlan, user("")) == 200);
  // An unknown role ranks below operator: nothing above operator.
  CHECK(status_of(Endpoint::kCreateBot, user("superuser")) == 403);
  CHECK(status_of(Endpoint::kListBots, user("superuser")) == 200);
  // A visitor token never passes an admin route.
  auto visitor = user("");
  visitor.kind = jwt::TokenKind::kVisitor;
  CHECK(status_of(Endpoint::kCreateBot, visitor) == 403);
}
