#include "http/router.hpp"

#include <array>

namespace botfactory::gateway {
namespace {

struct Route {
  const char* method;
  const char* pattern;
  Endpoint endpoint;
};

constexpr std::array kRoutes = {
    Route{"POST", "/api/v1/users", Endpoint::kRegister},
    Route{"POST", "/api/v1/auth/login", Endpoint::kLogin},
    Route{"POST", "/api/v1/auth/refresh", Endpoint::kRefresh},
    Route{"POST", "/api/v1/auth/logout", Endpoint::kLogout},
    Route{"GET", "/api/v1/users/me", Endpoint::kMe},
    Route{"GET", "/api/v1/plans", Endpoint::kListPlans},
    Route{"GET", "/api/v1/subscriptions/current", Endpoint::kCurrentSubscription},
    Route{"POST", "/api/v1/subscriptions", Endpoint::kChangePlan},
    Route{"GET", "/api/v1/usage/daily", Endpoint::kDailyUsage},
    Route{"POST", "/api/v1/bots", Endpoint::kCreateBot},
    Route{"GET", "/api/v1/bots", Endpoint::kListBots},
    Route{"GET", "/api/v1/bots/{id}", Endpoint::kGetBot},
    Route{"PATCH", "/api/v1/bots/{id}", Endpoint::kUpdateBot},
    Route{"DELETE", "/api/v1/bots/{id}", Endpoint::kDeleteBot},
    Route{"POST", "/api/v1/bots/{id}/knowledge", Endpoint::kAddKnowledge},
    Route{"GET", "/api/v1/bots/{id}/knowledge", Endpoint::kListKnowledge},
    Route{"DELETE", "/api/v1/bots/{id}/knowledge/{doc_id}", Endpoint::kDeleteKnowledge},
    Route{"POST", "/api/v1/widget/{public_id}/sessions", Endpoint::kCreateWidgetSession},
    Route{"GET", "/api/v1/bots/{id}/conversations", Endpoint::kListConversations},
    Route{"GET", "/api/v1/bots/{id}/model-status", Endpoint::kBotModelStatus},
    Route{"GET", "/api/v1/conversations", Endpoint::kListTenantConversations},
    Route{"GET", "/api/v1/conversations/{id}/messages", Endpoint::kListMessages},
    Route{"POST", "/api/v1/conversations/{id}/takeover", Endpoint::kTakeover},
    Route{"POST", "/api/v1/conversations/{id}/handback", Endpoint::kHandback},
    Route{"POST", "/api/v1/conversations/{id}/read", Endpoint::kMarkRead},
    Route{"GET", "/api/v1/analytics", Endpoint::kAnalytics},
    Route{"GET", "/api/v1/provider-keys", Endpoint::kListProviderKeys},
    Route{"PUT", "/api/v1/provider-keys/{provider}", Endpoint::kSetProviderKey},
    Route{"DELETE", "/api/v1/provider-keys/{provider}", Endpoint::kDeleteProviderKey},
    Route{"POST", "/api/v1/bots/{id}/channels", Endpoint::kCreateChannel},
    Route{"GET", "/api/v1/bots/{id}/channels", Endpoint::kListChannels},
    Route{"DELETE", "/api/v1/bots/{id}/channels/{channel_id}", Endpoint::kDeleteChannel},
    Route{"GET", "/api/v1/bots/{id}/channels/{channel_id}/deliveries", Endpoint::kListFailedDeliveries},
    Route{"POST", "/api/v1/bots/{id}/channels/{channel_id}/deliveries/replay", Endpoint::kReplayDeliveries},
    Route{"GET", "/api/v1/conversations/{id}/messages/{seq}/versions", Endpoint::kListMessageVersions},
    // Rooms (rest/rooms_rest.hpp)
    Route{"POST", "/api/v1/rooms", Endpoint::kCreateRoom},
    Route{"GET", "/api/v1/rooms", Endpoint::kListRooms},
    Route{"GET", "/api/v1/rooms/{id}", Endpoint::kGetRoom},
    Route{"POST", "/api/v1/rooms/{id}/join", Endpoint::kJoinRoom},
    Route{"POST", "/api/v1/rooms/{id}/leave", Endpoint::kLeaveRoom},
    Route{"GET", "/api/v1/rooms/{id}/members", Endpoint::kListRoomMembers},
    Route{"DELETE", "/api/v1/rooms/{id}/members/{kind}/{member_id}", Endpoint::kRemoveRoomMember},
    Route{"PATCH", "/api/v1/rooms/{id}/members/{kind}/{member_id}", Endpoint::kSetRoomMemberRole},
    Route{"POST", "/api/v1/rooms/{id}/owner", Endpoint::kTransferRoomOwnership},
    Route{"POST", "/api/v1/rooms/{id}/invites", Endpoint::kCreateRoomInvite},
    Route{"DELETE", "/api/v1/rooms/{id}/invites/{invite_id}", Endpoint::kRevokeRoomInvite},
    Route{"GET", "/api/v1/rooms/{id}/messages", Endpoint::kListRoomMessages},
    Route{"POST", "/api/v1/rooms/{id}/messages", Endpoint::kPostRoomMessage},
    Route{"PUT", "/api/v1/rooms/{id}/bot", Endpoint::kSetRoomBot},
    Route{"POST", "/api/v1/conversations/{id}/attachments", Endpoint::kUploadAttachment},
    Route{"GET", "/api/v1/attachments/{id}", Endpoint::kGetAttachment},
    Route{"GET", "/api/v1/attachments/{id}/thumbnail", Endpoint::kGetAttachmentThumbnail},
    // End-to-end encrypted rooms (rest/e2ee_rest.hpp)
    Route{"PUT", "/api/v1/e2ee/devices/{id}", Endpoint::kPutE2eeDevice},
    Route{"GET", "/api/v1/e2ee/devices", Endpoint::kListE2eeDevices},
    Route{"GET", "/api/v1/rooms/{id}/e2ee", Endpoint::kGetRoomE2ee},
    Route{"POST", "/api/v1/rooms/{id}/e2ee/keys", Endpoint::kPostRoomE2eeKeys},
    // Team accounts (rest/team_rest.hpp; minimum roles in http/route_roles.cpp)
    Route{"POST", "/api/v1/team/invites", Endpoint::kCreateTeamInvite},
    Route{"DELETE", "/api/v1/team/invites/{id}", Endpoint::kRevokeTeamInvite},
    Route{"GET", "/api/v1/team/members", Endpoint::kListTeamMembers},
    Route{"DELETE", "/api/v1/team/members/{id}", Endpoint::kRemoveTeamMember},
    Route{"PATCH", "/api/v1/team/members/{id}", Endpoint::kSetTeamMemberRole},
    Route{"GET", "/api/v1/bots/{id}/unanswered", Endpoint::kListUnanswered},  // rest/unanswered_rest.hpp
    Route{"POST", "/api/v1/bots/{id}/unanswered/dismiss", Endpoint::kDismissUnanswered},
    Route{"PUT", "/api/v1/conversations/{id}/messages/{seq}/feedback", Endpoint::kSetMessageFeedback},  // rest/feedback_rest.hpp
    Route{"GET", "/api/v1/conversations/{id}/feedback", Endpoint::kListConversationFeedback},
    Route{"GET", "/api/v1/bots/{id}/feedback", Endpoint::kListBotFeedback},
    Route{"GET", "/api/v1/widget/{public_id}", Endpoint::kWidgetAppearance},  // rest/widget_appearance_rest.hpp
    // Canned responses (rest/canned_rest.hpp)
    Route{"GET", "/api/v1/canned-responses", Endpoint::kListCanned},
    Route{"POST", "/api/v1/canned-responses", Endpoint::kCreateCanned},
    Route{"PATCH", "/api/v1/canned-responses/{id}", Endpoint::kUpdateCanned},
    Route{"DELETE", "/api/v1/canned-responses/{id}", Endpoint::kDeleteCanned},
    // Outgoing webhooks (rest/webhook_endpoints_rest.hpp)
    Route{"GET", "/api/v1/webhook-endpoints", Endpoint::kListWebhookEndpoints},
    Route{"POST", "/api/v1/webhook-endpoints", Endpoint::kCreateWebhookEndpoint},
    Route{"PATCH", "/api/v1/webhook-endpoints/{id}", Endpoint::kUpdateWebhookEndpoint},
    Route{"DELETE", "/api/v1/webhook-endpoints/{id}", Endpoint::kDeleteWebhookEndpoint},
    Route{"GET", "/api/v1/webhook-endpoints/{id}/deliveries", Endpoint::kListWebhookDeliveries},
    Route{"POST", "/api/v1/webhook-endpoints/{id}/test", Endpoint::kTestWebhookEndpoint},
    Route{"POST", "/api/v1/webhook-endpoints/{id}/rotate-secret", Endpoint::kRotateWebhookSecret},
};

/// Matches `path` against `pattern` segment by segment; "{...}" segments capture one non-empty
/// segment.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::string>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    auto pattern_end = pattern.find('/');
    auto path_end = path.find('/');
    std::string_view pattern_segment = pattern.substr(0, pattern_end);
    std::string_view path_segment = path.substr(0, path_end);
    if (!pattern_segment.empty() && pattern_segment.front() == '{') {
      if (path_segment.empty()) return false;
      params.emplace_back(path_segment);
    } else if (pattern_segment != path_segment) {
      return false;
    }
    pattern = pattern_end == std::string_view::npos ? std::string_view() : pattern.substr(pattern_end);
    path = path_end == std::string_view::npos ? std::string_view() : path.substr(path_end);
  }
  return true;
}

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  RouteMatch result;
  std::vector<std::string> params;
  for (const auto& route : kRoutes) {
    if (!match_pattern(route.pattern, path, params)) continue;
    if (method == route.method) {
      result.kind = RouteMatch::Kind::kFound;
      result.endpoint = route.endpoint;
      result.params = std::move(params);
      result.pattern = route.pattern;
      result.allow.clear();
      return result;
    }
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
    result.pattern = route.pattern;
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += route.method;
  }
  return result;
}

bool is_upload_route(std::string_view method, std::string_view path) {
  auto match = match_route(method, path);
  return match.kind == RouteMatch::Kind::kFound && match.endpoint == Endpoint::kAddKnowledge;
}

bool is_attachment_upload_route(std::string_view method, std::string_view path) {
  auto match = match_route(method, path);
  return match.kind == RouteMatch::Kind::kFound && match.endpoint == Endpoint::kUploadAttachment;
}

bool reads_bearer_token(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kRegister: case Endpoint::kLogin: case Endpoint::kRefresh: case Endpoint::kLogout:
    case Endpoint::kListPlans:
    case Endpoint::kWidgetAppearance:  // look: public, any Authorization header is ignored
      return false;
    default: return true;
  }
}

bool requires_bearer_token(Endpoint endpoint) {
  return reads_bearer_token(endpoint) && endpoint != Endpoint::kCreateWidgetSession;
}

bool requires_user_token(Endpoint endpoint) {
  if (!requires_bearer_token(endpoint)) return false;
  switch (endpoint) {
    // A widget visitor's own conversation (messages; files) and rooms (rest/rooms_rest.hpp).
    case Endpoint::kListMessages:
    case Endpoint::kUploadAttachment: case Endpoint::kGetAttachment: case Endpoint::kGetAttachmentThumbnail:
    case Endpoint::kCreateRoom: case Endpoint::kListRooms: case Endpoint::kGetRoom: case Endpoint::kJoinRoom:
    case Endpoint::kLeaveRoom: case Endpoint::kListRoomMembers: case Endpoint::kRemoveRoomMember:
    case Endpoint::kSetRoomMemberRole: case Endpoint::kTransferRoomOwnership: case Endpoint::kCreateRoomInvite:
    case Endpoint::kRevokeRoomInvite: case Endpoint::kListRoomMessages: case Endpoint::kPostRoomMessage:
    case Endpoint::kSetRoomBot:
    // answer feedback: the visitor rates / replays its own conversation (rest/feedback_rest.hpp).
    case Endpoint::kSetMessageFeedback: case Endpoint::kListConversationFeedback:
      return false;
    default:
      return true;
  }
}

}  // namespace botfactory::gateway
