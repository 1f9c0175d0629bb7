#pragma once
// hooks: who is told about chat events after their commit (outgoing webhooks,
// webhooks/webhook_enqueuer.hpp). ChatService calls it on the thread that committed, after the
// commit and the Redis publish, so an implementation must be cheap and must not throw.

#include <utility>
#include <vector>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::channel {

/// A committed message and the conversation it belongs to.
using CommittedMessage = std::pair<const chat::v1::Conversation*, const chat::v1::Message*>;

/// Receives committed chat events. Implementations catch their own failures.
class ChatEventSink {
 public:
  virtual ~ChatEventSink() = default;
  /// The new (not duplicate) messages of one committed batch, in commit order; rooms excluded.
  virtual void messages_committed(const std::vector<CommittedMessage>& messages) = 0;
  /// A new conversation and, when the bot has one, its greeting (seq 1).
  virtual void conversation_created(const chat::v1::Conversation& conversation,
                                    const chat::v1::Message* greeting) = 0;
  /// The visitor asked for a person (the state changed to waiting_for_human).
  virtual void handoff_requested(const chat::v1::Conversation& conversation) = 0;
};

}  // namespace botfactory::channel
