#pragma once
// The REST route table (docs/api.md): method + path pattern → endpoint, with path parameters.

#include <string>
#include <string_view>
#include <vector>

namespace botfactory::gateway {

/// Every REST endpoint the gateway serves.
enum class Endpoint {
  kRegister,
  kLogin,
  kRefresh,
  kLogout,
  kMe,
  kListPlans,
  kCurrentSubscription,
  kChangePlan,
  kDailyUsage,
  kCreateBot,
  kListBots,
  kGetBot,
  kUpdateBot,
  kDeleteBot,
  kAddKnowledge,
  kListKnowledge,
  kDeleteKnowledge,
  kCreateWidgetSession,
  kListConversations,
  kListTenantConversations,  // GET /api/v1/conversations (the inbox)
  kBotModelStatus,
  kListMessages,
  kTakeover,
  kHandback,
  kMarkRead,
  kAnalytics,
  kListProviderKeys,
  kSetProviderKey,
  kDeleteProviderKey,
  kCreateChannel,
  kListChannels,
  kDeleteChannel,
  kListFailedDeliveries,
  kReplayDeliveries,
  kListMessageVersions,  // edits: GET /api/v1/conversations/{id}/messages/{seq}/versions
  // Rooms (rest/rooms_rest.hpp)
  kCreateRoom,
  kListRooms,
  kGetRoom,
  kJoinRoom,
  kLeaveRoom,
  kListRoomMembers,
  kRemoveRoomMember,
  kSetRoomMemberRole,
  kTransferRoomOwnership,
  kCreateRoomInvite,
  kRevokeRoomInvite,
  kListRoomMessages,
  kPostRoomMessage,
  kSetRoomBot,
  kUploadAttachment,        // files: POST /api/v1/conversations/{id}/attachments
  kGetAttachment,           // files: GET /api/v1/attachments/{id}
  kGetAttachmentThumbnail,  // files: GET /api/v1/attachments/{id}/thumbnail
  kPutE2eeDevice, kListE2eeDevices, kGetRoomE2ee, kPostRoomE2eeKeys,  // e2ee (rest/e2ee_rest.hpp)
  kCreateTeamInvite, kListTeamMembers, kRemoveTeamMember, kSetTeamMemberRole, kRevokeTeamInvite,  // team (rest/team_rest.hpp)
  kListUnanswered, kDismissUnanswered,  // unanswered questions (rest/unanswered_rest.hpp)
  kSetMessageFeedback, kListConversationFeedback, kListBotFeedback,  // answer feedback (rest/feedback_rest.hpp)
  kWidgetAppearance,  // look: GET /api/v1/widget/{public_id} (rest/widget_appearance_rest.hpp)
  kListCanned, kCreateCanned, kUpdateCanned, kDeleteCanned,  // saved replies (rest/canned_rest.hpp)
  kListWebhookEndpoints, kCreateWebhookEndpoint, kUpdateWebhookEndpoint, kDeleteWebhookEndpoint,
  kListWebhookDeliveries, kTestWebhookEndpoint, kRotateWebhookSecret,  // hooks (rest/webhook_endpoints_rest.hpp)
};

/// Result of matching a request against the table.
struct RouteMatch {
  enum class Kind { kFound, kMethodNotAllowed, kNotFound } kind = Kind::kNotFound;
  Endpoint endpoint = Endpoint::kRegister;
  std::vector<std::string> params;  // path parameters in pattern order
  std::string pattern;              // e.g. "/api/v1/bots/{id}" (the route class in metrics)
  std::string allow;                // for kMethodNotAllowed: "GET, POST"
};

/// Matches `method` and decoded `path` (a trailing '/' is ignored). A path that matches a
/// pattern with another method gives kMethodNotAllowed and the allowed methods.
RouteMatch match_route(std::string_view method, std::string_view path);

/// True when `path` names the knowledge upload route, whose body limit is larger.
bool is_upload_route(std::string_view method, std::string_view path);

/// True when `path` names the attachment upload route (files), whose body limit is the plan's.
bool is_attachment_upload_route(std::string_view method, std::string_view path);

/// True when `endpoint` checks a bearer token it is given (docs/api.md): every endpoint but
/// sign-up, login, refresh, logout, the plan list and the widget's look (GET
/// /api/v1/widget/{public_id}), which never read Authorization. The
/// server refuses a revoked token of such an endpoint before reading the request body.
bool reads_bearer_token(Endpoint endpoint);

/// gwleft: true when `endpoint` cannot be served without a valid bearer token: every endpoint
/// of reads_bearer_token() but the widget session, where a token is optional (a visitor's
/// renewal). The server refuses a request of such an endpoint with a body and a missing or
/// invalid token (401 `unauthorized`) before reading the body.
bool requires_bearer_token(Endpoint endpoint);

/// harden: true when `endpoint` serves user tokens only: its handler answers a valid visitor
/// token 403 `forbidden` (require_user_token(), http/bearer_auth.hpp). Every endpoint of
/// requires_bearer_token() but the ones a widget visitor uses: its conversation's messages,
/// rooms, files. The server refuses a visitor token of such an endpoint with a body before
/// reading the body.
bool requires_user_token(Endpoint endpoint);

}  // namespace botfactory::gateway
