#pragma once
// The blocking upstream calls behind the WebSocket protocol (join authorization, replay,
// posting). Run on the worker pool; results are plain values so the WebSocket session needs no
// gRPC or Protobuf headers.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "ws/chat_frame.hpp"

namespace botfactory::gateway {

struct Upstreams;

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

/// Stateless; thread-safe.
class ChatOps {
 public:
  /// `upstreams` must outlive this.
  explicit ChatOps(const Upstreams& upstreams);

  /// May the holder of `claims` watch `conversation_id`? A visitor only its own conversation
  /// (`forbidden`); a user any conversation of its tenant. Either way chat GetConversation
  /// scoped to the token's tenant must find it (`not_found`); `*last_seq` is then its last seq.
  std::optional<OpError> authorize_join(const jwt::Claims& claims,
                                        const std::string& conversation_id,
                                        std::int64_t* last_seq) const;

  /// Appends to `out` the `message.new` frames (chatwire encoding) of messages with seq >
  /// `since_seq` in seq order, at most `limit`, of conversation `conversation_id` of tenant
  /// `tenant_id`. `*more` is set when the page was full.
  std::optional<OpError> fetch_messages(const std::string& tenant_id,
                                        const std::string& conversation_id, std::int64_t since_seq,
                                        int limit, std::vector<SeqFrame>& out, bool* more) const;

  /// Posts `text` as the token's holder: visitor → {visitor, sub, name from the token};
  /// user → {operator, user id, username from auth GetUser unless `cached_operator_name` is set}.
  std::optional<OpError> post_message(const jwt::Claims& claims, const std::string& cached_operator_name,
                                      const std::string& conversation_id,
                                      const std::string& client_id, const std::string& text,
                                      PostResult& result) const;

 private:
  const Upstreams& upstreams_;
};

}  // namespace botfactory::gateway
