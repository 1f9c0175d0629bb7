#pragma once
// The upstream calls behind the WebSocket protocol (join authorization, replay, typing: blocking,
// run on the worker pool; posting: asynchronous, post_message_async); results are plain values so the WebSocket session needs no
// gRPC or Protobuf headers.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "ws/chat_frame.hpp"

namespace botfactory::gateway {

struct Upstreams;

}  // namespace botfactory::gateway

namespace botfactory::redis {
class Publisher;
}

namespace botfactory::gateway {

/// An error to send to the client as an `error` frame.
struct OpError {
  std::string code;
  std::string message;
};

/// What PostMessage answered.
struct PostResult {
  std::int64_t seq = 0;
  std::string message_id;
  std::string operator_name;  // set when it was looked up (to cache in the session)
};

/// Who answers a conversation (chat.v1 Conversation.handler / waiting_for_human).
struct ConversationState {
  std::string handler = "bot";  // "bot" or "human"
  bool waiting_for_human = false;
};

/// Stateless; thread-safe.
class ChatOps {
 public:
  /// `upstreams` and `publisher` (typing events; nullptr = typing is not relayed) must outlive
  /// this.
  explicit ChatOps(const Upstreams& upstreams, redis::Publisher* publisher = nullptr);

  /// May the holder of `claims` watch `conversation_id`? A visitor only its own conversation
  /// (`forbidden`); a user any conversation of its tenant. Either way chat GetConversation
  /// scoped to the token's tenant must find it (`not_found`); `*last_seq` is then its last seq.
  std::optional<OpError> authorize_join(const jwt::Claims& claims,
                                        const std::string& conversation_id,
                                        std::int64_t* last_seq,
                                        ConversationState* state = nullptr) const;

  /// A visitor asks for a person: chat SetConversationState REQUEST_HUMAN scoped to the token's
  /// tenant; `state` is the conversation's state afterwards. User tokens get `forbidden`
  /// (operators use POST /api/v1/conversations/{id}/takeover).
  std::optional<OpError> request_handoff(const jwt::Claims& claims,
                                         const std::string& conversation_id,
                                         ConversationState& state) const;

  /// Publishes a `typing` event (chatwire::encode_typing) on the conversation's Redis channel
  /// as the token's holder: {visitor, sub, name} or {operator, user id, username (auth GetUser
  /// unless `cached_operator_name` is set; then stored in `*looked_up_name`)}. Never stored.
  /// The caller has checked that the socket joined the conversation (so the tenant is right).
  std::optional<OpError> publish_typing(const jwt::Claims& claims,
                                        const std::string& cached_operator_name,
                                        const std::string& conversation_id, bool typing,
                                        std::string* looked_up_name) const;

  /// Appends to `out` the `message.new` frames (chatwire encoding) of messages with seq >
  /// `since_seq` in seq order, at most `limit`, of conversation `conversation_id` of tenant
  /// `tenant_id`. `*more` is set when the page was full.
  std::optional<OpError> fetch_messages(const std::string& tenant_id,
                                        const std::string& conversation_id, std::int64_t since_seq,
                                        int limit, std::vector<SeqFrame>& out, bool* more) const;

  /// What post_message_async() calls when done: an error, or the stored message.
  using PostDone = std::function<void(std::optional<OpError> error, PostResult result)>;

  /// Posts `text` (chat PostMessage scoped to the token's tenant; `client_id` makes it
  /// idempotent) as the token's holder: visitor → {visitor, sub, name from the token}; user →
  /// {operator, user id, username from auth GetUser unless `cached_operator_name` is set, then
  /// returned in PostResult::operator_name}. Non-blocking (gRPC callback API, both calls under
  /// RPC_TIMEOUT_MS and the upstream breakers, the current thread's request id as
  /// x-request-id): `done` runs once, on a gRPC thread (inline when a breaker is open), so it
  /// must hand its result to the socket's executor. Errors: the gRPC status mapped like REST
  /// (api_error_from_grpc), e.g. `unavailable`, `not_found`, `invalid_argument`.
  void post_message_async(const jwt::Claims& claims, const std::string& cached_operator_name,
                          const std::string& conversation_id, const std::string& client_id,
                          const std::string& text, PostDone done) const;

 private:
  /// The operator's display name: `cached` when set, else auth GetUser's username.
  std::optional<OpError> operator_name(const jwt::Claims& claims, const std::string& cached,
                                       std::string& name) const;

  const Upstreams& upstreams_;
  redis::Publisher* publisher_;
};

}  // namespace botfactory::gateway
