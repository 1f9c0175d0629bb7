#include "rest/rest_api.hpp"

#include "rest/attachments_rest.hpp"
#include "rest/e2ee_rest.hpp"
#include "rest/team_rest.hpp"
#include "rest/unanswered_rest.hpp"
#include "rest/feedback_rest.hpp"
#include "rest/widget_appearance_rest.hpp"
#include "rest/canned_rest.hpp"
#include "rest/webhook_endpoints_rest.hpp"
#include "http/route_roles.hpp"

#include <cstdint>
#include <unordered_map>

#include <boost/json.hpp>

#include "http/api_error.hpp"
#include "http/bearer_auth.hpp"
#include "botfactory/chatwire/inbox_event.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/jwt/tokens.hpp"
#include "http/multipart.hpp"
#include "json_input.hpp"
#include "rest/channels_rest.hpp"
#include "rest/message_versions_rest.hpp"
#include "rest/rooms_rest.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"
#include "rest/widget_origin.hpp"
#include "rest/widget_appearance_json.hpp"
#include "http/token_revocation.hpp"
#include "webhooks/telegram_webhook.hpp"
#include "webhooks/whatsapp_webhook.hpp"
#include "rest/json_response.hpp"
#include "rest/query_params.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxVisitorNameLength = 64;  // code points
constexpr int kMaxConversationsPage = 200;
constexpr int kMaxMessagesPage = 500;
constexpr std::size_t kMaxCursorLength = 128;  // GET /conversations?cursor= (opaque, ~56 bytes)
constexpr int kDefaultUsageDays = 30;  // GET /usage/daily without ?days
constexpr int kMaxUsageDays = 90;      // subscription's ListDailyUsage window
constexpr int kDefaultAnalyticsDays = 30;  // GET /analytics without ?days
constexpr int kMaxAnalyticsDays = 90;      // chat GetAnalytics window

/// Upstreams::call() that returns the response; a non-OK status throws the matching ApiError
/// (check()).
template <typename Stub, typename Request, typename Response>
Response checked_call(const Upstreams& upstreams, Stub& stub,
                      UnaryMethod<Stub, Request, Response> method, const Request& request) {
  Response response;
  check(upstreams.call(stub, method, request, response));
  return response;
}

HttpResponse no_content() {
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

ApiError validation(const std::string& message) {
  return ApiError(400, "validation_failed", message);
}

/// The body as a JSON object; an empty body is `{}` when `allow_empty`.
/// Control characters in any string are refused (400 invalid_argument, rest_json.hpp).
json::object parse_object(const HttpRequest& request, bool allow_empty = false) {
  return parse_json_object(request.body, allow_empty);
}

/// `allowed_origins`: an array of strings (validated by bot-registry).
std::vector<std::string> origins_from_json(const json::value& value) {
  if (!value.is_array()) throw validation("allowed_origins must be an array of strings");
  std::vector<std::string> origins;
  for (const auto& item : value.as_array()) {
    if (!item.is_string()) throw validation("allowed_origins must be an array of strings");
    origins.emplace_back(item.as_string());
  }
  return origins;
}

common::v1::ProviderSettings provider_from_json(const json::value& value) {
  if (!value.is_object()) throw validation("provider must be an object");
  const auto& object = value.as_object();
  common::v1::ProviderSettings provider;
  provider.set_provider(string_member(object, "provider"));
  provider.set_model(string_member(object, "model"));
  if (auto it = object.find("temperature"); it != object.end() && !it->value().is_null()) {
    if (!it->value().is_number()) throw validation("provider.temperature must be a number");
    provider.set_temperature(it->value().to_number<double>());
  }
  if (auto it = object.find("max_output_tokens"); it != object.end() && !it->value().is_null()) {
    const auto& v = it->value();
    if (!v.is_int64() && !v.is_uint64()) throw validation("provider.max_output_tokens must be an integer");
    // bot-registry checks the range; a value beyond int32 is sent as -1 to get its message.
    const bool fits = v.is_int64() ? v.as_int64() >= 0 && v.as_int64() <= INT32_MAX
                                   : v.as_uint64() <= INT32_MAX;
    provider.set_max_output_tokens(fits ? static_cast<std::int32_t>(v.to_number<std::int64_t>()) : -1);
  }
  if (auto it = object.find("fallback_to_extractive"); it != object.end() && !it->value().is_null()) {
    if (!it->value().is_bool()) throw validation("provider.fallback_to_extractive must be a boolean");
    provider.set_fallback_to_extractive(it->value().as_bool());
  }
  return provider;
}

}  // namespace

std::string generated_guest_name() { return "Guest " + std::to_string(common::random_int(1000, 9999)); }

RestApi::RestApi(const Upstreams& upstreams, const jwt::TokenVerifier& verifier,
                 TokenRevocations* revocations, redis::Publisher* publisher)
    : upstreams_(upstreams), verifier_(verifier), revocations_(revocations), publisher_(publisher) {}

HttpResponse RestApi::handle(const HttpRequest& request) const {
  return handle(request, match_route(request.method, request.path));
}

HttpResponse RestApi::handle(const HttpRequest& request, const RouteMatch& route) const {
  if (route.kind == RouteMatch::Kind::kNotFound) {
    return error_response(404, "not_found", "no such endpoint");
  }
  if (route.kind == RouteMatch::Kind::kMethodNotAllowed) {
    auto response = error_response(405, "method_not_allowed", "method not allowed");
    response.headers.emplace_back("Allow", route.allow);
    return response;
  }
  try {
    return dispatch(request, route);
  } catch (const ApiError& e) {
    return error_response(e);
  } catch (const std::exception& e) {
    common::logger("rest")->error("request {} {} failed: {}", request.request_id, route.pattern,
                                  common::json_escape(e.what()));
    return error_response(500, "internal", "internal error");
  }
}

bool RestApi::handle_async(const HttpRequest& request, const RouteMatch& route,
                           const std::function<void(HttpResponse)>& reply,
                           const IngestCallGate& gate) const {
  if (route.kind != RouteMatch::Kind::kFound || route.endpoint != Endpoint::kPostRoomMessage) {
    return false;
  }
  try {
    post_room_message_async(upstreams_, authenticate(request), route.params.at(0), request, reply, gate);
  } catch (const ApiError& e) {
    reply(error_response(e));
  } catch (const std::exception& e) {
    common::logger("rest")->error("request {} {} failed: {}", request.request_id, route.pattern,
                                  common::json_escape(e.what()));
    reply(error_response(500, "internal", "internal error"));
  }
  return true;
}

HttpResponse RestApi::dispatch(const HttpRequest& request, const RouteMatch& route) const {
  const auto& p = route.params;
  if (minimum_role(route.endpoint) != TeamRole::kOperator) require_role(route.endpoint, authenticate(request));
  switch (route.endpoint) {
    case Endpoint::kRegister: return register_user(request);
    case Endpoint::kLogin: return login(request);
    case Endpoint::kRefresh: return refresh(request);
    case Endpoint::kLogout: return logout(request);
    case Endpoint::kMe: return me(request);
    case Endpoint::kListPlans: return list_plans(request);
    case Endpoint::kCurrentSubscription: return current_subscription(request);
    case Endpoint::kChangePlan: return change_plan(request);
    case Endpoint::kDailyUsage: return daily_usage(request);
    case Endpoint::kCreateBot: return create_bot(request);
    case Endpoint::kListBots: return list_bots(request);
    case Endpoint::kGetBot: return get_bot(request, p.at(0));
    case Endpoint::kUpdateBot: return update_bot(request, p.at(0));
    case Endpoint::kDeleteBot: return delete_bot(request, p.at(0));
    case Endpoint::kAddKnowledge: return add_knowledge(request, p.at(0));
    case Endpoint::kListKnowledge: return list_knowledge(request, p.at(0));
    case Endpoint::kDeleteKnowledge: return delete_knowledge(request, p.at(0), p.at(1));
    case Endpoint::kCreateWidgetSession: return create_widget_session(request, p.at(0));
    case Endpoint::kListConversations: return list_conversations(request, p.at(0));
    case Endpoint::kListTenantConversations: return list_inbox(request);
    case Endpoint::kBotModelStatus: return bot_model_status(request, p.at(0));
    case Endpoint::kListMessages: return list_messages(request, p.at(0));
    case Endpoint::kTakeover:
      return set_conversation_state(request, p.at(0), /*take_over=*/true);
    case Endpoint::kHandback:
      return set_conversation_state(request, p.at(0), /*take_over=*/false);
    case Endpoint::kMarkRead: return mark_read(request, p.at(0));
    case Endpoint::kAnalytics: return analytics(request);
    case Endpoint::kListProviderKeys: return list_provider_keys(request);
    case Endpoint::kSetProviderKey: return set_provider_key(request, p.at(0));
    case Endpoint::kDeleteProviderKey: return delete_provider_key(request, p.at(0));
    case Endpoint::kCreateChannel:
      return create_channel(upstreams_, require_user(request).tenant_id, p.at(0), request);
    case Endpoint::kListChannels:
      return list_channels(upstreams_, require_user(request).tenant_id, p.at(0));
    case Endpoint::kDeleteChannel:
      return delete_channel(upstreams_, require_user(request).tenant_id, p.at(0), p.at(1));
    case Endpoint::kListFailedDeliveries:
      return list_failed_deliveries(upstreams_, require_user(request).tenant_id, p.at(0), p.at(1), request);
    case Endpoint::kUploadAttachment: return upload_attachment(upstreams_, authenticate(request), p.at(0), request);
    case Endpoint::kGetAttachment: return download_attachment(upstreams_, authenticate(request), p.at(0), false);
    case Endpoint::kGetAttachmentThumbnail: return download_attachment(upstreams_, authenticate(request), p.at(0), true);
    case Endpoint::kReplayDeliveries:
      return replay_deliveries(upstreams_, require_user(request).tenant_id, p.at(0), p.at(1), request);
    case Endpoint::kListMessageVersions:
      return list_message_versions(upstreams_, require_user(request), p.at(0), p.at(1));
    case Endpoint::kCreateRoom: case Endpoint::kListRooms: case Endpoint::kGetRoom: case Endpoint::kJoinRoom:
    case Endpoint::kLeaveRoom: case Endpoint::kListRoomMembers: case Endpoint::kRemoveRoomMember:
    case Endpoint::kSetRoomMemberRole: case Endpoint::kTransferRoomOwnership: case Endpoint::kCreateRoomInvite:
    case Endpoint::kRevokeRoomInvite: case Endpoint::kListRoomMessages: case Endpoint::kPostRoomMessage:
    case Endpoint::kSetRoomBot: return rooms_rest(upstreams_, authenticate(request), route.endpoint, p, request);
    case Endpoint::kPutE2eeDevice: case Endpoint::kListE2eeDevices: case Endpoint::kGetRoomE2ee:
    case Endpoint::kPostRoomE2eeKeys: return e2ee_rest(upstreams_, authenticate(request), route.endpoint, p, request);
    case Endpoint::kCreateTeamInvite: case Endpoint::kListTeamMembers: case Endpoint::kRemoveTeamMember:
    case Endpoint::kSetTeamMemberRole: case Endpoint::kRevokeTeamInvite: return team_rest(upstreams_, authenticate(request), route.endpoint, p, request);
    case Endpoint::kListUnanswered: case Endpoint::kDismissUnanswered: return unanswered_rest(upstreams_, authenticate(request), route.endpoint, p, request);
    case Endpoint::kSetMessageFeedback: case Endpoint::kListConversationFeedback: case Endpoint::kListBotFeedback: return feedback_rest(upstreams_, authenticate(request), route.endpoint, p, request, publisher_);
    case Endpoint::kWidgetAppearance: return widget_appearance_rest(upstreams_, request, p.at(0));
    case Endpoint::kListCanned: case Endpoint::kCreateCanned: case Endpoint::kUpdateCanned: case Endpoint::kDeleteCanned: return canned_rest(upstreams_, authenticate(request), route.endpoint, p, request);
    case Endpoint::kListWebhookEndpoints: case Endpoint::kCreateWebhookEndpoint: case Endpoint::kUpdateWebhookEndpoint: case Endpoint::kDeleteWebhookEndpoint: case Endpoint::kListWebhookDeliveries: case Endpoint::kTestWebhookEndpoint: case Endpoint::kRotateWebhookSecret: return webhook_endpoints_rest(upstreams_, authenticate(request), route.endpoint, p, request);  // hooks
  }
  return error_response(404, "not_found", "no such endpoint");
}

HttpResponse RestApi::handle_webhook(const HttpRequest& request) const {
  auto channel_id = telegram_webhook_channel(request.path);
  auto whatsapp_id = whatsapp_webhook_channel(request.path);
  if (channel_id.empty() && whatsapp_id.empty()) return error_response(404, "not_found", "no such endpoint");
  try {
    if (!whatsapp_id.empty()) return handle_whatsapp_webhook(upstreams_, request, whatsapp_id);
    return handle_telegram_webhook(upstreams_, request, channel_id);
  } catch (const std::exception& e) {
    common::logger("rest")->error("request {} webhook failed: {}", request.request_id,
                                  common::json_escape(e.what()));
    return error_response(500, "internal", "internal error");
  }
}

jwt::Claims RestApi::authenticate(const HttpRequest& request) const {
  auto claims = verified_bearer(verifier_, request.authorization);  // 401 unauthorized
  require_not_revoked(revocations_, claims);  // 401 token_revoked
  return claims;
}

jwt::Claims RestApi::require_user(const HttpRequest& request) const {
  auto claims = authenticate(request);
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
  return claims;
}

// --- users and tokens -------------------------------------------------------------------------

HttpResponse RestApi::register_user(const HttpRequest& request) const {
  auto body = parse_object(request);
  if (auto invite = optional_string_member(body, "invite_token"); invite && !invite->empty()) {  // team
    return register_with_invite(upstreams_, string_member(body, "email"),
                                string_member(body, "username"), string_member(body, "password"), *invite);
  }
  auth::v1::RegisterRequest rpc_request;
  rpc_request.set_email(string_member(body, "email"));
  rpc_request.set_username(string_member(body, "username"));
  rpc_request.set_password(string_member(body, "password"));
  auto user = checked_call(upstreams_, *upstreams_.auth, &AuthRpc::Register, rpc_request);
  billing::v1::StartTrialRequest trial;
  trial.set_tenant_id(user.tenant_id());
  billing::v1::Subscription subscription;
  auto status =
      upstreams_.call(*upstreams_.subscription, &BillingRpc::StartTrial, trial, subscription);
  if (!status.ok()) {
    // The subscription service puts a tenant without a subscription on the trial on first read.
    common::logger("rest")->warn("request {}: StartTrial for a new tenant failed: {}",
                                 request.request_id, common::json_escape(status.error_message()));
  }
  auto response = json_response(201, user_json(user));
  response.headers.emplace_back("Location", "/api/v1/users/me");
  return response;
}

HttpResponse RestApi::login(const HttpRequest& request) const {
  auto body = parse_object(request);
  auth::v1::LoginRequest rpc_request;
  rpc_request.set_email(string_member(body, "email"));
  rpc_request.set_password(string_member(body, "password"));
  auth::v1::TokenPair pair;
  auto status = upstreams_.call(*upstreams_.auth, &AuthRpc::Login, rpc_request, pair);
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
      status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
      status.error_code() == grpc::StatusCode::NOT_FOUND) {
    throw ApiError(401, "invalid_credentials", "invalid email or password");
  }
  check(status);
  return json_response(200, token_pair_json(pair));
}

HttpResponse RestApi::refresh(const HttpRequest& request) const {
  auto body = parse_object(request);
  auth::v1::RefreshRequest rpc_request;
  rpc_request.set_refresh_token(string_member(body, "refresh_token"));
  if (rpc_request.refresh_token().empty()) throw validation("refresh_token is required");
  auth::v1::TokenPair pair;
  auto status = upstreams_.call(*upstreams_.auth, &AuthRpc::Refresh, rpc_request, pair);
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    throw ApiError(401, "unauthorized", "invalid or expired refresh token");
  }
  check(status);
  return json_response(200, token_pair_json(pair));
}

HttpResponse RestApi::logout(const HttpRequest& request) const {
  auto body = parse_object(request);
  auth::v1::LogoutRequest rpc_request;
  rpc_request.set_refresh_token(string_member(body, "refresh_token"));
  checked_call(upstreams_, *upstreams_.auth, &AuthRpc::Logout, rpc_request);
  return no_content();
}

HttpResponse RestApi::me(const HttpRequest& request) const {
  auto claims = require_user(request);
  auth::v1::GetUserRequest rpc_request;
  rpc_request.set_user_id(claims.subject);
  auth::v1::User user;
  auto status = upstreams_.call(*upstreams_.auth, &AuthRpc::GetUser, rpc_request, user);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    throw ApiError(401, "unauthorized", "the token's user no longer exists");
  }
  check(status);
  return json_response(200, user_json(user));
}

// --- plans and subscriptions ------------------------------------------------------------------

HttpResponse RestApi::list_plans(const HttpRequest&) const {
  billing::v1::ListPlansRequest rpc_request;
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.subscription, &BillingRpc::ListPlans, rpc_request);
  json::array plans;
  for (const auto& plan : rpc_response.plans()) plans.push_back(plan_json(plan));
  return json_response(200, json::object{{"plans", std::move(plans)}});
}

HttpResponse RestApi::current_subscription(const HttpRequest& request) const {
  auto claims = require_user(request);
  billing::v1::GetSubscriptionRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  auto subscription =
      checked_call(upstreams_, *upstreams_.subscription, &BillingRpc::GetSubscription, rpc_request);
  auto body = subscription_json(subscription);
  auto storage = storage_usage(upstreams_, claims.tenant_id);  // tidy: files kept
  append_storage_quota(body, storage ? std::optional(storage->used_bytes) : std::nullopt,
                       subscription.plan().limits().max_storage_bytes());
  return json_response(200, body);
}

HttpResponse RestApi::change_plan(const HttpRequest& request) const {
  auto claims = require_user(request);
  auto body = parse_object(request);
  billing::v1::ChangePlanRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_plan_code(string_member(body, "plan"));
  if (rpc_request.plan_code().empty()) throw validation("plan is required");
  auto subscription =
      checked_call(upstreams_, *upstreams_.subscription, &BillingRpc::ChangePlan, rpc_request);
  return json_response(200, subscription_json(subscription));
}

HttpResponse RestApi::daily_usage(const HttpRequest& request) const {
  auto claims = require_user(request);
  billing::v1::ListDailyUsageRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_days(
      static_cast<std::int32_t>(query_int(request, "days", kDefaultUsageDays, 1, kMaxUsageDays)));
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.subscription, &BillingRpc::ListDailyUsage, rpc_request);
  return json_response(200, daily_usage_json(rpc_request.days(), rpc_response));
}

// --- bots -------------------------------------------------------------------------------------

HttpResponse RestApi::create_bot(const HttpRequest& request) const {
  auto claims = require_user(request);
  auto body = parse_object(request);
  registry::v1::CreateBotRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_name(string_member(body, "name"));
  rpc_request.set_language(string_member(body, "language"));
  rpc_request.set_greeting(string_member(body, "greeting"));
  rpc_request.set_instructions(string_member(body, "instructions"));
  if (auto it = body.find("provider"); it != body.end() && !it->value().is_null()) {
    *rpc_request.mutable_provider() = provider_from_json(it->value());
  }
  if (auto it = body.find("allowed_origins"); it != body.end() && !it->value().is_null()) {
    for (auto& origin : origins_from_json(it->value())) rpc_request.add_allowed_origins(std::move(origin));
  }
  if (auto it = body.find("widget"); it != body.end() && !it->value().is_null()) {
    *rpc_request.mutable_widget() = widget_from_json(it->value());
  }
  auto bot = checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::CreateBot, rpc_request);
  auto response = json_response(201, bot_json(bot));
  response.headers.emplace_back("Location", "/api/v1/bots/" + bot.id());
  return response;
}

HttpResponse RestApi::list_bots(const HttpRequest& request) const {
  auto claims = require_user(request);
  registry::v1::ListBotsRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::ListBots, rpc_request);
  json::array bots;
  for (const auto& bot : rpc_response.bots()) bots.push_back(bot_json(bot));
  return json_response(200, json::object{{"bots", std::move(bots)}});
}

registry::v1::Bot RestApi::require_own_bot(const std::string& tenant_id, const std::string& bot_id) const {
  registry::v1::GetBotRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  rpc_request.set_bot_id(bot_id);
  return checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::GetBot, rpc_request);
}

HttpResponse RestApi::get_bot(const HttpRequest& request, const std::string& bot_id) const {
  auto claims = require_user(request);
  return json_response(200, bot_json(require_own_bot(claims.tenant_id, bot_id)));
}

HttpResponse RestApi::update_bot(const HttpRequest& request, const std::string& bot_id) const {
  auto claims = require_user(request);
  auto body = parse_object(request);
  registry::v1::UpdateBotRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  if (auto v = optional_string_member(body, "name")) rpc_request.set_name(*v);
  if (auto v = optional_string_member(body, "language")) rpc_request.set_language(*v);
  if (auto v = optional_string_member(body, "greeting")) rpc_request.set_greeting(*v);
  if (auto v = optional_string_member(body, "instructions")) rpc_request.set_instructions(*v);
  if (auto it = body.find("provider"); it != body.end() && !it->value().is_null()) {
    *rpc_request.mutable_provider() = provider_from_json(it->value());
  }
  if (auto it = body.find("allowed_origins"); it != body.end() && !it->value().is_null()) {
    auto* origins = rpc_request.mutable_allowed_origins();  // present: replaces the list
    for (auto& origin : origins_from_json(it->value())) origins->add_origins(std::move(origin));
  }
  if (auto it = body.find("widget"); it != body.end() && !it->value().is_null()) {
    *rpc_request.mutable_widget() = widget_from_json(it->value());  // present: replaces it
  }
  auto bot = checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::UpdateBot, rpc_request);
  return json_response(200, bot_json(bot));
}

HttpResponse RestApi::delete_bot(const HttpRequest& request, const std::string& bot_id) const {
  auto claims = require_user(request);
  registry::v1::DeleteBotRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::DeleteBot, rpc_request);
  return no_content();
}

// --- provider keys (write-only: reads show the last four characters) --------------------------

HttpResponse RestApi::list_provider_keys(const HttpRequest& request) const {
  auto claims = require_user(request);
  registry::v1::ListProviderKeysRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::ListProviderKeys, rpc_request);
  json::array keys;
  for (const auto& key : rpc_response.keys()) keys.push_back(provider_key_json(key));
  return json_response(200, json::object{{"provider_keys", std::move(keys)}});
}

HttpResponse RestApi::set_provider_key(const HttpRequest& request, const std::string& provider) const {
  auto claims = require_user(request);
  auto body = parse_object(request);
  registry::v1::SetProviderKeyRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_provider(provider);
  auto key = optional_string_member(body, "key");
  if (!key) throw validation("key is required");
  rpc_request.set_key(*key);
  rpc_request.set_base_url(string_member(body, "base_url"));
  auto stored =
      checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::SetProviderKey, rpc_request);
  return json_response(200, provider_key_json(stored));
}

HttpResponse RestApi::delete_provider_key(const HttpRequest& request,
                                          const std::string& provider) const {
  auto claims = require_user(request);
  registry::v1::DeleteProviderKeyRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_provider(provider);
  checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::DeleteProviderKey, rpc_request);
  return no_content();
}

// --- knowledge --------------------------------------------------------------------------------

HttpResponse RestApi::add_knowledge(const HttpRequest& request, const std::string& bot_id) const {
  auto claims = require_user(request);
  registry::v1::AddDocumentRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  std::string media_type = common::to_lower_ascii(
      common::trim(std::string_view(request.content_type).substr(0, request.content_type.find(';'))));
  if (media_type == "multipart/form-data") {
    auto boundary = multipart_boundary(request.content_type);
    if (!boundary) throw validation("multipart body without a valid boundary");
    auto parts = parse_multipart(request.body, *boundary);
    if (!parts) throw validation("malformed multipart/form-data body");
    const MultipartPart* file = nullptr;
    std::string title;
    for (const auto& part : *parts) {
      if (part.name == "file" && part.filename && !file) file = &part;
      if (part.name == "title" && !part.filename) title = std::string(common::trim(part.body));
    }
    if (file == nullptr) throw validation("a `file` part is required");
    auto format = document_format_from_filename(*file->filename);
    if (!format && common::to_lower_ascii(common::trim(file->content_type)) == "application/pdf") {
      format = registry::v1::DOCUMENT_FORMAT_PDF;  // a PDF named without its extension
    }
    if (!format) {
      throw validation("unsupported file type: use .txt, .md, .markdown, .html, .htm or .pdf");
    }
    if (title.empty()) title = *file->filename;
    // NUL must never reach libpq (common::find_control_char).
    if (common::find_control_char(title) != std::string_view::npos) {
      throw ApiError(400, "invalid_argument", control_char_message("title"));
    }
    if (common::find_control_char(file->body) != std::string_view::npos) {
      throw ApiError(400, "invalid_argument", control_char_message("file"));
    }
    rpc_request.set_title(title);
    rpc_request.set_format(*format);
    if (*format == registry::v1::DOCUMENT_FORMAT_PDF) {
      rpc_request.set_content(file->body);  // binary; bot-registry reads its text layer
    } else {
      if (!common::is_valid_utf8(file->body)) throw validation("the file must be UTF-8 text");
      rpc_request.set_body(file->body);
    }
  } else if (media_type.empty() || media_type == "application/json") {
    auto body = parse_object(request);
    rpc_request.set_title(string_member(body, "title"));
    auto format_name = optional_string_member(body, "format").value_or("text");
    auto format = document_format_from_name(format_name);
    if (!format) {
      throw validation("format must be text, markdown or html (upload a PDF as multipart/form-data)");
    }
    rpc_request.set_format(*format);
    rpc_request.set_body(string_member(body, "body"));
  } else {
    throw ApiError(415, "unsupported_media_type",
                   "send application/json or multipart/form-data with a `file` part");
  }
  auto document =
      checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::AddDocument, rpc_request);
  return json_response(201, document_json(document));
}

HttpResponse RestApi::list_knowledge(const HttpRequest& request, const std::string& bot_id) const {
  auto claims = require_user(request);
  registry::v1::ListDocumentsRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::ListDocuments, rpc_request);
  json::array documents;
  for (const auto& document : rpc_response.documents()) documents.push_back(document_json(document));
  return json_response(200, json::object{{"documents", std::move(documents)}});
}

HttpResponse RestApi::delete_knowledge(const HttpRequest& request, const std::string& bot_id,
                                       const std::string& document_id) const {
  auto claims = require_user(request);
  registry::v1::DeleteDocumentRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_document_id(document_id);
  checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::DeleteDocument, rpc_request);
  return no_content();
}

// --- widget and conversations -----------------------------------------------------------------

HttpResponse RestApi::create_widget_session(const HttpRequest& request,
                                            const std::string& public_id) const {
  if (!request.authorization.empty()) return renew_widget_session(request, public_id);
  auto body = parse_object(request, /*allow_empty=*/true);
  std::string name(common::trim(string_member(body, "name")));
  if (!common::is_valid_utf8(name) || common::utf8_length(name) > kMaxVisitorNameLength) {
    throw validation("name must be at most 64 characters");
  }
  if (name.empty()) name = generated_guest_name();

  registry::v1::Bot bot;
  {
    registry::v1::GetBotByPublicIdRequest rpc_request;
    rpc_request.set_public_id(public_id);
    bot =
        checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::GetBotByPublicId, rpc_request);
  }
  // Before anything is created: a page the bot does not list gets no conversation.
  auto origin = widget_session_origin(bot, request.origin);
  if (!origin) {
    throw ApiError(403, "origin_not_allowed",
                   "this bot's widget may not be used from this web page (Origin not allowed)");
  }
  const std::string visitor_id = "v_" + common::random_base62(12);
  chat::v1::Conversation conversation;
  {
    chat::v1::CreateConversationRequest rpc_request;
    rpc_request.set_tenant_id(bot.tenant_id());
    rpc_request.set_bot_id(bot.id());
    rpc_request.set_channel("web");
    rpc_request.set_visitor_id(visitor_id);
    rpc_request.set_visitor_name(name);
    conversation =
        checked_call(upstreams_, *upstreams_.chat, &ChatRpc::CreateConversation, rpc_request);
  }
  auth::v1::IssueVisitorTokenResponse token;
  {
    auth::v1::IssueVisitorTokenRequest rpc_request;
    rpc_request.set_tenant_id(bot.tenant_id());
    rpc_request.set_bot_id(bot.id());
    rpc_request.set_conversation_id(conversation.id());
    rpc_request.set_visitor_id(visitor_id);
    rpc_request.set_visitor_name(name);
    rpc_request.set_origin(*origin);  // the token then works only from this origin
    token = checked_call(upstreams_, *upstreams_.auth, &AuthRpc::IssueVisitorToken, rpc_request);
  }
  json::object result{
      {"token", token.token()},
      {"expires_in", token.expires_in()},
      {"conversation_id", conversation.id()},
      {"visitor", {{"id", visitor_id}, {"name", name}}},
      {"bot", widget_bot_json(bot)}};
  return json_response(201, result);
}

HttpResponse RestApi::renew_widget_session(const HttpRequest& request,
                                           const std::string& public_id) const {
  parse_object(request, /*allow_empty=*/true);  // the body is not used, but must be JSON
  auto claims = authenticate(request);            // 401 when expired: open a new session
  if (claims.kind != jwt::TokenKind::kVisitor) {
    throw ApiError(403, "forbidden", "only a visitor token of this bot renews a widget session");
  }
  registry::v1::Bot bot;
  {
    registry::v1::GetBotByPublicIdRequest rpc_request;
    rpc_request.set_public_id(public_id);
    bot =
        checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::GetBotByPublicId, rpc_request);
  }
  if (bot.id() != claims.bot_id || bot.tenant_id() != claims.tenant_id) {
    throw ApiError(403, "forbidden", "only a visitor token of this bot renews a widget session");
  }
  // The bot's current allowed origins, as for a new session; the new token carries the origin.
  auto origin = widget_session_origin(bot, request.origin);
  if (!origin) {
    throw ApiError(403, "origin_not_allowed",
                   "this bot's widget may not be used from this web page (Origin not allowed)");
  }
  auth::v1::IssueVisitorTokenRequest rpc_request;
  rpc_request.set_origin(*origin);
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(claims.bot_id);
  rpc_request.set_conversation_id(claims.conversation_id);
  rpc_request.set_visitor_id(claims.subject);
  rpc_request.set_visitor_name(claims.name);
  auto token = checked_call(upstreams_, *upstreams_.auth, &AuthRpc::IssueVisitorToken, rpc_request);
  json::object result{
      {"token", token.token()},
      {"expires_in", token.expires_in()},
      {"conversation_id", claims.conversation_id},
      {"visitor", {{"id", claims.subject}, {"name", claims.name}}},
      {"bot", widget_bot_json(bot)}};
  return json_response(200, result);
}

HttpResponse RestApi::list_conversations(const HttpRequest& request,
                                         const std::string& bot_id) const {
  auto claims = require_user(request);
  int limit = static_cast<int>(query_int(request, "limit", 50, 1, kMaxConversationsPage));
  require_own_bot(claims.tenant_id, bot_id);
  chat::v1::ListConversationsRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_limit(limit);
  rpc_request.set_user_id(claims.subject);  // this user's read_seq and unread_count
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.chat, &ChatRpc::ListConversations, rpc_request);
  json::array conversations;
  for (const auto& c : rpc_response.conversations()) {
    auto object = conversation_json(c);
    object["read_seq"] = c.read_seq();  // the calling user's
    object["unread_count"] = c.unread_count();
    conversations.push_back(std::move(object));
  }
  return json_response(200, json::object{{"conversations", std::move(conversations)}});
}

HttpResponse RestApi::list_inbox(const HttpRequest& request) const {
  auto claims = require_user(request);
  chat::v1::ListConversationsRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_user_id(claims.subject);  // this user's read_seq and unread_count
  rpc_request.set_limit(static_cast<int>(query_int(request, "limit", 50, 1, kMaxConversationsPage)));
  auto query = [&](const char* key) -> std::string {
    auto it = request.query.find(key);
    return it == request.query.end() ? std::string() : it->second;
  };
  if (auto bot_id = query("bot_id"); !bot_id.empty()) {
    if (!common::is_uuid(bot_id)) throw validation("bot_id must be a UUID");
    rpc_request.set_bot_id(bot_id);
  }
  if (auto channel = query("channel"); !channel.empty()) {
    if (channel != "web" && channel != "telegram" && channel != "whatsapp" && channel != "instagram") {
      throw validation("channel must be web, telegram, whatsapp or instagram");
    }
    rpc_request.set_channel(channel);
  }
  if (auto handler = query("handler"); !handler.empty()) {
    if (handler != "bot" && handler != "human") throw validation("handler must be bot or human");
    rpc_request.set_handler(handler);
  }
  if (auto waiting = query("waiting"); !waiting.empty()) {
    if (waiting != "true" && waiting != "false") throw validation("waiting must be true or false");
    rpc_request.set_waiting_only(waiting == "true");
  }
  if (auto cursor = query("cursor"); !cursor.empty()) {
    if (cursor.size() > kMaxCursorLength) throw validation("cursor is malformed");
    rpc_request.set_cursor(cursor);
  }
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.chat, &ChatRpc::ListConversations, rpc_request);
  // Bot names from one registry call: an inbox page shows them next to each conversation. A
  // bot deleted since keeps its id with an empty name.
  std::unordered_map<std::string, std::string> bot_names;
  if (rpc_response.conversations_size() > 0) {
    registry::v1::ListBotsRequest bots_request;
    bots_request.set_tenant_id(claims.tenant_id);
    auto bots = checked_call(upstreams_, *upstreams_.registry, &RegistryRpc::ListBots, bots_request);
    for (const auto& bot : bots.bots()) bot_names.emplace(bot.id(), bot.name());
  }
  json::array conversations;
  for (const auto& c : rpc_response.conversations()) {
    auto object = chatwire::inbox_item(c);
    auto name = bot_names.find(c.bot_id());
    object["bot_name"] = name == bot_names.end() ? std::string() : name->second;
    object["read_seq"] = c.read_seq();  // the calling user's
    object["unread_count"] = c.unread_count();
    conversations.push_back(std::move(object));
  }
  json::value next = nullptr;
  if (!rpc_response.next_cursor().empty()) next = json::value(rpc_response.next_cursor());
  return json_response(200, json::object{{"conversations", std::move(conversations)},
                                         {"next_cursor", std::move(next)}});
}

HttpResponse RestApi::list_messages(const HttpRequest& request,
                                    const std::string& conversation_id) const {
  auto claims = authenticate(request);
  auto since_seq = query_int(request, "since_seq", 0, 0, INT64_MAX);
  int limit = static_cast<int>(query_int(request, "limit", kMaxMessagesPage, 1, kMaxMessagesPage));
  if (claims.kind == jwt::TokenKind::kVisitor) {
    if (claims.conversation_id != conversation_id) {
      throw ApiError(403, "forbidden", "a visitor may read only its own conversation");
    }
  } else {
    chat::v1::GetConversationRequest rpc_request;
    rpc_request.set_conversation_id(conversation_id);
    rpc_request.set_tenant_id(claims.tenant_id);
    checked_call(upstreams_, *upstreams_.chat, &ChatRpc::GetConversation, rpc_request);
  }
  chat::v1::ListMessagesRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_conversation_id(conversation_id);
  rpc_request.set_since_seq(since_seq);
  rpc_request.set_limit(limit);
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.chat, &ChatRpc::ListMessages, rpc_request);
  json::array messages;
  for (const auto& m : rpc_response.messages()) messages.push_back(message_json(m));
  return json_response(200, json::object{{"messages", std::move(messages)}});
}

HttpResponse RestApi::mark_read(const HttpRequest& request,
                                const std::string& conversation_id) const {
  auto claims = require_user(request);
  auto body = parse_object(request);
  auto it = body.find("seq");
  if (it == body.end() || !(it->value().is_int64() || it->value().is_uint64())) {
    throw validation("seq must be an integer >= 0");
  }
  std::int64_t seq = 0;
  if (it->value().is_int64()) {
    seq = it->value().as_int64();
  } else if (it->value().as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    seq = static_cast<std::int64_t>(it->value().as_uint64());
  } else {
    throw validation("seq must be an integer >= 0");
  }
  if (seq < 0) throw validation("seq must be an integer >= 0");
  chat::v1::MarkReadRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_conversation_id(conversation_id);
  rpc_request.set_user_id(claims.subject);
  rpc_request.set_seq(seq);
  auto response = checked_call(upstreams_, *upstreams_.chat, &ChatRpc::MarkRead, rpc_request);
  return json_response(200, json::object{{"conversation_id", conversation_id},
                                         {"read_seq", response.read_seq()},
                                         {"unread_count", response.unread_count()}});
}

HttpResponse RestApi::bot_model_status(const HttpRequest& request,
                                       const std::string& bot_id) const {
  auto claims = require_user(request);
  require_own_bot(claims.tenant_id, bot_id);  // another tenant's bot is 404 like an unknown one
  chat::v1::GetBotModelStatusRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_bot_id(bot_id);
  auto status = checked_call(upstreams_, *upstreams_.chat, &ChatRpc::GetBotModelStatus, rpc_request);
  return json_response(200, bot_model_status_json(status));
}

HttpResponse RestApi::analytics(const HttpRequest& request) const {
  auto claims = require_user(request);
  chat::v1::GetAnalyticsRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_days(static_cast<std::int32_t>(
      query_int(request, "days", kDefaultAnalyticsDays, 1, kMaxAnalyticsDays)));
  if (auto it = request.query.find("bot_id"); it != request.query.end() && !it->second.empty()) {
    if (!common::is_uuid(it->second)) throw validation("bot_id must be a UUID");
    rpc_request.set_bot_id(it->second);
  }
  auto rpc_response =
      checked_call(upstreams_, *upstreams_.chat, &ChatRpc::GetAnalytics, rpc_request);
  // Quota use is a convenience of the page: analytics stay available while billing is down.
  json::value quota = nullptr;
  try {
    billing::v1::GetSubscriptionRequest subscription_request;
    subscription_request.set_tenant_id(claims.tenant_id);
    auto subscription = checked_call(upstreams_, *upstreams_.subscription,
                                     &BillingRpc::GetSubscription, subscription_request);
    quota = subscription_json(subscription).at("quotas");
  } catch (const ApiError& e) {
    if (e.status() != 503) throw;
  }
  return json_response(200, analytics_json(rpc_request.days(), rpc_response, std::move(quota)));
}

HttpResponse RestApi::set_conversation_state(const HttpRequest& request,
                                             const std::string& conversation_id,
                                             bool take_over) const {
  auto claims = require_user(request);
  parse_object(request, /*allow_empty=*/true);  // no fields; a body, when sent, must be JSON
  chat::v1::SetConversationStateRequest rpc_request;
  rpc_request.set_tenant_id(claims.tenant_id);
  rpc_request.set_conversation_id(conversation_id);
  rpc_request.set_action(take_over ? chat::v1::CONVERSATION_ACTION_TAKEOVER
                                   : chat::v1::CONVERSATION_ACTION_HANDBACK);
  auto conversation =
      checked_call(upstreams_, *upstreams_.chat, &ChatRpc::SetConversationState, rpc_request);
  return json_response(200, conversation_json(conversation));
}

}  // namespace botfactory::gateway
