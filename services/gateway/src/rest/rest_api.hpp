#pragma once
// The REST API `/api/v1` (docs/api.md): each endpoint mapped to one or two gRPC calls on the
// owning service. No HTTP library here: the server hands over an HttpRequest.

#include <functional>
#include <string>

#include "http/http_message.hpp"
#include "http/router.hpp"
#include "rest/rest_ingest_slot.hpp"

namespace botfactory::jwt {
class TokenVerifier;
struct Claims;
}

namespace botfactory::registry::v1 {
class Bot;
}

namespace botfactory::redis {
class Publisher;
}

namespace botfactory::gateway {

struct Upstreams;
class TokenRevocations;

/// Serves REST requests. Blocking (gRPC calls with deadlines): run it on the worker pool.
/// Thread-safe.
class RestApi {
 public:
  /// `upstreams`, `verifier` and `revocations` (may be null: no revocation checks) must outlive
  /// the RestApi. live: `publisher` (may be null: no live events) carries the events a REST
  /// write announces to the conversation's sockets (message.feedback, rest/feedback_rest.hpp).
  RestApi(const Upstreams& upstreams, const jwt::TokenVerifier& verifier,
          TokenRevocations* revocations = nullptr, redis::Publisher* publisher = nullptr);

  /// Answers one request: unknown path 404 `not_found`, wrong method 405 `method_not_allowed`,
  /// otherwise the endpoint's response or its JSON error. Never throws.
  HttpResponse handle(const HttpRequest& request) const;

  /// A public webhook request (/webhooks/telegram/{channel_id}, webhooks/telegram_webhook.hpp):
  /// no bearer token; the channel's secret header decides. Never throws.
  HttpResponse handle_webhook(const HttpRequest& request) const;

  /// Same, for an already matched route.
  HttpResponse handle(const HttpRequest& request, const RouteMatch& route) const;

  /// roomcore: answers `route` without the calling thread waiting for the upstream when it is
  /// an asynchronous route (today POST /api/v1/rooms/{id}/messages: token and body checked
  /// here, PostRoomMessage on gRPC's callback API) and returns true; `reply` then runs once,
  /// on this thread for an early error or on a gRPC thread (hand it to the connection's
  /// executor). False (reply not called) for every other route: use handle(). Never throws.
  /// gwleft: `gate` (rest/rest_ingest_slot.hpp, INGEST_MAX_CALLS) decides when the room post's
  /// call goes on the wire; none = at once.
  bool handle_async(const HttpRequest& request, const RouteMatch& route,
                    const std::function<void(HttpResponse)>& reply,
                    const IngestCallGate& gate = {}) const;

 private:
  HttpResponse dispatch(const HttpRequest& request, const RouteMatch& route) const;
  jwt::Claims authenticate(const HttpRequest& request) const;
  jwt::Claims require_user(const HttpRequest& request) const;
  /// The bot `bot_id` of `tenant_id` from bot-registry; another tenant's bot is NOT_FOUND like
  /// an unknown one (thrown as rpc::StatusError, mapped to 404 by the caller's error handling).
  registry::v1::Bot require_own_bot(const std::string& tenant_id, const std::string& bot_id) const;

  HttpResponse register_user(const HttpRequest& request) const;
  HttpResponse login(const HttpRequest& request) const;
  HttpResponse refresh(const HttpRequest& request) const;
  HttpResponse logout(const HttpRequest& request) const;
  HttpResponse me(const HttpRequest& request) const;
  HttpResponse list_plans(const HttpRequest& request) const;
  HttpResponse current_subscription(const HttpRequest& request) const;
  HttpResponse change_plan(const HttpRequest& request) const;
  /// GET ?days=N (1..90, default 30): the tenant's replies and model tokens per bot and UTC day.
  HttpResponse daily_usage(const HttpRequest& request) const;
  HttpResponse create_bot(const HttpRequest& request) const;
  HttpResponse list_bots(const HttpRequest& request) const;
  HttpResponse get_bot(const HttpRequest& request, const std::string& bot_id) const;
  HttpResponse update_bot(const HttpRequest& request, const std::string& bot_id) const;
  HttpResponse delete_bot(const HttpRequest& request, const std::string& bot_id) const;
  HttpResponse add_knowledge(const HttpRequest& request, const std::string& bot_id) const;
  HttpResponse list_knowledge(const HttpRequest& request, const std::string& bot_id) const;
  HttpResponse delete_knowledge(const HttpRequest& request, const std::string& bot_id,
                                const std::string& document_id) const;
  HttpResponse create_widget_session(const HttpRequest& request,
                                     const std::string& public_id) const;
  /// The widget session route with `Authorization: Bearer <visitor token>`: a new token for the
  /// same bot, conversation and visitor (docs/api.md, "Renewing a widget session").
  HttpResponse renew_widget_session(const HttpRequest& request,
                                    const std::string& public_id) const;
  HttpResponse list_conversations(const HttpRequest& request, const std::string& bot_id) const;
  /// GET /conversations?bot_id=&channel=&waiting=&handler=&limit=&cursor=: the tenant's inbox
  /// (chat ListConversations with the user's read position, bot names from registry ListBots);
  /// 200 {"conversations": [inbox item + bot_name, read_seq, unread_count], "next_cursor"};
  /// 400 validation_failed for a bad filter or cursor; 403 for a visitor token.
  HttpResponse list_inbox(const HttpRequest& request) const;
  HttpResponse list_messages(const HttpRequest& request, const std::string& conversation_id) const;
  /// POST /conversations/{id}/takeover and /handback: a user of the conversation's tenant sets
  /// who answers it (chat SetConversationState: `take_over` true = TAKEOVER, else HANDBACK);
  /// 200 with the conversation; 404 for another tenant's; 403 for a visitor token.
  HttpResponse set_conversation_state(const HttpRequest& request,
                                      const std::string& conversation_id,
                                      bool take_over) const;
  /// POST /conversations/{id}/read {"seq": N}: the user read the conversation up to N (chat
  /// MarkRead); 200 {"conversation_id","read_seq","unread_count"}.
  HttpResponse mark_read(const HttpRequest& request, const std::string& conversation_id) const;
  /// GET /analytics?days=N&bot_id=: the tenant's chat analytics per UTC day (chat
  /// GetAnalytics) and its quota use (subscription GetSubscription; null when it is down).
  HttpResponse analytics(const HttpRequest& request) const;
  /// GET /bots/{id}/model-status: the bot's last model outcome (chat GetBotModelStatus) after
  /// registry GetBot (404 for an unknown bot or one of another tenant).
  HttpResponse bot_model_status(const HttpRequest& request, const std::string& bot_id) const;
  HttpResponse list_provider_keys(const HttpRequest& request) const;
  /// PUT {key, base_url?}: stores (replaces) the tenant's key for `provider`; the response
  /// shows only its last four characters.
  HttpResponse set_provider_key(const HttpRequest& request, const std::string& provider) const;
  HttpResponse delete_provider_key(const HttpRequest& request, const std::string& provider) const;

  const Upstreams& upstreams_;
  const jwt::TokenVerifier& verifier_;
  TokenRevocations* revocations_ = nullptr;
  redis::Publisher* publisher_ = nullptr;  // live: message.feedback events
};

/// "Guest NNNN" with a random 4-digit number: the name of a visitor who gave none.
std::string generated_guest_name();

}  // namespace botfactory::gateway
