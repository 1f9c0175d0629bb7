#pragma once
// Composition root of channel-connector: builds the store, Redis publisher, gRPC clients, chat
// service and bot pipeline from a pool and settings, and tears them down in a safe order.

#include <memory>

#include "channels/binding_settings.hpp"
#include "botfactory/crypto/secret_box.hpp"
#include "settings.hpp"

namespace botfactory::metrics {
class Registry;
}
namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

class AttachmentService;
class AttachmentSweeper;
class ChatService;
class RoomService;
class E2eeRoomKeys;
class ModelStatus;
class UnansweredQuestions;
class MessageFeedbackService;
class CannedResponses;
class WebhookEndpoints;
class WebhookDispatcher;
class WebhookEnqueuer;
class MessageEdits;
class ChannelBindings;
class ChannelDeliveries;
class InboxProcessor;
class OutboxSender;

/// Owns every long-lived object of the service. Destruction stops the pipeline workers first
/// (running replies finish, queued ones are dropped), then releases the rest. Used by main() and
/// by the integration tests, so both run the same wiring.
class ChannelApp {
 public:
  /// `box` seals channel credentials (CHANNEL_CREDENTIALS_SECRET); null = channel bindings off
  /// (no poller, inbox or outbox threads; binding RPCs answer FAILED_PRECONDITION).
  ChannelApp(std::shared_ptr<pg::Pool> pool, const ChannelSettings& settings,
             metrics::Registry& registry, std::shared_ptr<const crypto::SecretBox> box = nullptr,
             const BindingSettings& bindings = {});
  ~ChannelApp();
  ChannelApp(const ChannelApp&) = delete;
  ChannelApp& operator=(const ChannelApp&) = delete;

  ChatService& chat();
  /// Rooms (room_service.hpp).
  RoomService& rooms();
  /// End-to-end encrypted rooms' keys (docs/e2ee.md).
  E2eeRoomKeys& e2ee();
  /// files: uploads and downloads of conversation attachments.
  AttachmentService& attachments();
  /// tidy: the attachment sweeper (started by the constructor; run_once() for tests).
  AttachmentSweeper& attachment_sweeper();
  /// The bots' last model outcomes (GetBotModelStatus).
  ModelStatus& model_status();
  /// Unanswered questions (ListUnansweredQuestions / DismissUnansweredQuestion).
  UnansweredQuestions& unanswered();
  /// Answer feedback (chat/message_feedback.hpp).
  MessageFeedbackService& feedback();
  /// canned: the tenants' saved replies (CannedResponseService).
  CannedResponses& canned();
  /// hooks: outgoing webhooks — endpoints (WebhookEndpointService), the enqueuer (the chat
  /// service's event sink) and the dispatcher (started by the constructor).
  WebhookEndpoints& webhooks();
  WebhookEnqueuer& webhook_enqueuer();
  WebhookDispatcher& webhook_dispatcher();
  /// edits: EditMessage / DeleteMessage / ListMessageVersions.
  MessageEdits& edits();
  ChannelBindings& bindings();
  /// Failed outbound messages: list and replay.
  ChannelDeliveries& deliveries();
  InboxProcessor& inbox();
  OutboxSender& outbox();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace botfactory::channel
