#include "channel_app.hpp"

#include "attachments/attachment_repository.hpp"
#include "attachments/attachment_service.hpp"
#include "attachments/attachment_sweep_repository.hpp"
#include "attachments/attachment_sweeper.hpp"
#include "attachments/storage_usage_repository.hpp"
#include "pipeline/bot_pipeline.hpp"
#include "attachments/conversation_access.hpp"
#include "e2ee/e2ee_hooks.hpp"
#include "e2ee/e2ee_repository.hpp"
#include "e2ee/e2ee_room_keys.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/http_client/http_client.hpp"
#include "channels/channel_bindings.hpp"
#include "channels/channel_deliveries.hpp"
#include "channels/channel_delivery_repository.hpp"
#include "channels/channel_repository.hpp"
#include "pipeline/plan_limits_client.hpp"
#include "channels/telegram_client.hpp"
#include "channels/whatsapp_client.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/rpc/client.hpp"
#include "chat/chat_rate_limits.hpp"
#include "chat/chat_service.hpp"
#include "chat/chat_store.hpp"
#include "chat/message_edits.hpp"
#include "chat/model_status.hpp"
#include "chat/model_status_repository.hpp"
#include "canned/canned_responses.hpp"
#include "webhooks/webhook_dispatcher.hpp"
#include "webhooks/webhook_endpoints.hpp"
#include "webhooks/webhook_enqueuer.hpp"
#include "webhooks/webhook_repository.hpp"
#include "chat/unanswered_questions.hpp"
#include "chat/unanswered_repository.hpp"
#include "chat/message_feedback.hpp"
#include "chat/message_feedback_repository.hpp"
#include "channels/telegram_ratings.hpp"
#include "pipeline/grpc_clients.hpp"
#include "pipeline/pipeline_dispatcher.hpp"
#include "pipeline/redis_visitor_presence.hpp"
#include "rooms/room_conversation_access.hpp"
#include "rooms/room_conversation_admins.hpp"
#include "rooms/room_service.hpp"
#include "channels/shared_send_rate_limiter.hpp"

namespace botfactory::channel {

namespace {
// Redis counts every visitor message inside its PostMessage transaction: keep a stuck Redis short.
constexpr std::chrono::milliseconds kRateCounterTimeout{250};
}  // namespace

// Members in dependency order: each is destroyed before what it uses.
struct ChannelApp::Parts {
  Parts(std::shared_ptr<pg::Pool> pool_in, const ChannelSettings& s, metrics::Registry& registry,
        std::shared_ptr<const crypto::SecretBox> box_in, const BindingSettings& b)
      : pool(std::move(pool_in)),
        store(*pool),
        model_status_repository(*pool),
        model_status(model_status_repository, registry),
        publisher(s.redis_host, s.redis_port, std::chrono::milliseconds(1000),
                  s.redis_credentials),
        bots(rpc::make_channel(s.registry_addr), s.rpc_timeout),
        quota(rpc::make_channel(s.subscription_addr), s.rpc_timeout),
        meter(rpc::make_channel(s.subscription_addr), s.rpc_timeout),
        generator(rpc::make_channel(s.ai_proxy_addr), s.ai_timeout),
        hits(s.redis_host, s.redis_port, kRateCounterTimeout, s.redis_credentials),
        rates(hits,
              ChatRateSettings{s.visitor_messages_per_min, s.bot_replies_per_min,
                               s.redis_key_prefix, s.feedback_writes_per_min},
              registry),
        chat(store, publisher, bots, registry, &rates, s.commit),
        room_rows(*pool),
        edit_rows(*pool),
        room_admins(room_rows, support_admins),
        edits(edit_rows, room_admins,
              [this](const std::string& id, const std::function<std::string()>& commit) {
                chat.commit_and_publish(id, commit);
              },
              s.edit_window),
        rooms(room_rows, chat, bots),
        presence(s.redis_host, s.redis_port, s.redis_credentials, s.redis_key_prefix),
        pipeline(bots, quota, generator, chat, rates, meter, registry,
                 PipelineSettings{s.history_turns,
                                  CoalesceSettings{s.delta_flush_interval, s.delta_flush_bytes}}),
        dispatcher(pipeline,
                   DispatchSettings{s.pipeline_threads, s.pipeline_queue_capacity,
                                    s.pipeline_tenant_queue_capacity,
                                    s.pipeline_tenant_max_running,
                                    s.pipeline_tenant_burst_running},
                   registry),
        watch_settings{s.visitor_gone_grace, s.visitor_presence_check},
        box(std::move(box_in)),
        channels(*pool),
        telegram(http, b.telegram_api_base_url),
        graph(http, b.meta_graph_base_url, b.meta_graph_api_version),
        allowance(rpc::make_channel(s.subscription_addr), s.rpc_timeout),
        bindings(channels, box, telegram, graph, bots, allowance, b.public_base_url),
        delivery_rows(*pool),
        deliveries(channels, delivery_rows),
        send_rates(std::make_unique<redis::SpacedSlots>(s.redis_host, s.redis_port,
                                                        kRateCounterTimeout, s.redis_credentials),
                   b.outbox.rates, s.redis_key_prefix, registry),
        outbox(channels, box, telegram, b.outbox, registry, &send_rates),
        replica("cc-" + common::random_token(9)),
        inbox(channels, chat, dispatcher, b.inbox,
              [this](const ChannelRecord& channel, const std::string& chat_id,
                     const std::string& conversation_id) {
                outbox.send_typing(channel, chat_id, conversation_id);
              },
              replica),
        poller(channels, box, telegram, inbox, b.poller, replica),
        heartbeat(b.leases.renew_every,
                  {[this] { inbox.renew_leases(); }, [this] { outbox.renew_leases(); }}),
        attachment_rows(*pool),
        attachment_store(make_attachment_store(s.attachment_store)),
        thumbnailer(s.thumbnails),
        access(store),
        room_access(room_rows, access),
        storage_usage(*pool),
        attachments(attachment_rows, *attachment_store, thumbnailer, room_access, allowance, chat,
                    registry, storage_usage),
        sweep_rows(*pool),
        sweeper(sweep_rows, *attachment_store, s.attachment_sweep, registry),
        e2ee_rows(*pool),
        e2ee(e2ee_rows),
        unanswered_rows(*pool),
        unanswered(unanswered_rows),
        feedback_rows(*pool),
        feedback(feedback_rows, &rates),
        ratings(channels, feedback, telegram, box, &publisher),
        canned_rows(*pool),
        canned(canned_rows, s.canned_max_per_tenant),
        webhook_rows(*pool),
        webhooks(webhook_rows, s.webhook_secrets, s.webhook_endpoints_max, s.webhooks.allow_private),
        webhook_enqueuer(webhook_rows, registry, s.webhook_cache_ttl, 100000, {},
                         static_cast<std::size_t>(s.webhook_enqueue_max)),
        webhook_dispatcher(webhook_rows, s.webhook_secrets, http, s.webhooks, registry) {}

  std::shared_ptr<pg::Pool> pool;
  ChatStore store;
  ModelStatusRepository model_status_repository;
  ModelStatus model_status;
  redis::Publisher publisher;
  RegistryBotDirectory bots;
  SubscriptionQuotaGate quota;
  SubscriptionTokenMeter meter;
  AiProxyReplyGenerator generator;
  RedisHitCounter hits;
  ChatRateLimits rates;
  ChatService chat;
  RoomRepository room_rows;
  MessageEditRepository edit_rows;  // edits
  SupportConversationAdmins support_admins;
  RoomConversationAdmins room_admins;  // rooms: owner/admins are a room's admins
  MessageEdits edits;
  RoomService rooms;
  RedisVisitorPresence presence;  // widget visitors' presence (gateway heartbeats)
  BotPipeline pipeline;
  PipelineDispatcher dispatcher;
  VisitorWatchSettings watch_settings;
  // Channel bindings (Telegram): off (no workers, every call FAILED_PRECONDITION) without a box.
  std::shared_ptr<const crypto::SecretBox> box;
  ChannelRepository channels;
  http::Client http;
  telegram::BotApiClient telegram;
  whatsapp::GraphClient graph;
  SubscriptionChannelAllowance allowance;
  ChannelBindings bindings;
  ChannelDeliveryRepository delivery_rows;
  ChannelDeliveries deliveries;
  SharedSendRateLimiter send_rates;
  OutboxSender outbox;
  std::string replica;  // this replica's name on the leases it holds
  InboxProcessor inbox;
  TelegramPoller poller;
  LeaseHeartbeat heartbeat;  // renews the inbox's and outbox's leases while they work
  // files (issue 11)
  AttachmentRepository attachment_rows;
  std::unique_ptr<AttachmentStore> attachment_store;
  ImageThumbnailer thumbnailer;
  TenantConversationAccess access;
  RoomConversationAccess room_access;  // rooms: their members (room_conversation_access.hpp)
  StorageUsageRepository storage_usage;  // tidy: per-tenant storage quota
  AttachmentService attachments;
  AttachmentSweepRepository sweep_rows;  // tidy: files of deleted rows
  AttachmentSweeper sweeper;
  // e2ee rooms (docs/e2ee.md)
  E2eeRepository e2ee_rows;
  E2eeRoomKeys e2ee;
  UnansweredRepository unanswered_rows;  // unanswered questions
  UnansweredQuestions unanswered;
  MessageFeedbackRepository feedback_rows;  // answer feedback
  MessageFeedbackService feedback;
  TelegramRatings ratings;  // tgrate: 👍 / 👎 pressed on Telegram
  CannedRepository canned_rows;  // canned: saved replies
  CannedResponses canned;
  // hooks: outgoing webhooks
  WebhookRepository webhook_rows;
  WebhookEndpoints webhooks;
  WebhookEnqueuer webhook_enqueuer;
  WebhookDispatcher webhook_dispatcher;
};

ChannelApp::ChannelApp(std::shared_ptr<pg::Pool> pool, const ChannelSettings& settings,
                       metrics::Registry& registry, std::shared_ptr<const crypto::SecretBox> box,
                       const BindingSettings& bindings)
    : parts_(std::make_unique<Parts>(std::move(pool), settings, registry, std::move(box), bindings)) {
  parts_->channels.cache_core(bindings.channel_cache_ttl, bindings.channel_cache_max_entries);  // chanperf
  parts_->pipeline.set_outcome_sink(&parts_->model_status);
  parts_->pipeline.set_visitor_presence(&parts_->presence, parts_->watch_settings);
  // A channel message's chat is free for its next update once the pipeline is done with it.
  parts_->dispatcher.set_finished_hook([this](const VisitorMessage& message) {
    if (message.channel != "web" && message.sender_kind == common::v1::SENDER_KIND_VISITOR) {
      parts_->inbox.on_reply_finished(message.message_id);
    }
  });
  parts_->chat.set_listener(&parts_->dispatcher);
  parts_->chat.set_message_decorator(
      [this](std::vector<chat::v1::Message>& page) { parts_->attachment_rows.decorate(page); });
  parts_->chat.set_history(&parts_->edits);
  hook_e2ee(parts_->e2ee, parts_->rooms, parts_->edits, parts_->attachments);
  // hooks: outgoing webhooks
  parts_->webhooks.set_change_hook(
      [this](const std::string& tenant) { parts_->webhook_enqueuer.invalidate(tenant); });
  parts_->webhook_enqueuer.set_queued_hook([this] { parts_->webhook_dispatcher.wake(); });
  parts_->chat.set_event_sink(&parts_->webhook_enqueuer);
  parts_->webhook_enqueuer.start();
  parts_->webhook_dispatcher.start();
  parts_->sweeper.start();  // tidy
  if (parts_->box) {
    // Headroom: the inbox threads may post at once after one check each.
    parts_->inbox.set_room_check([this, headroom = bindings.inbox.threads](const std::string& tenant) {
      return parts_->dispatcher.has_room(tenant, headroom);
    });
    parts_->inbox.set_callback_hook([this](const ChannelRecord& channel, const telegram::InboundText& update) {
      parts_->ratings.handle(channel, update);
    });
    parts_->bindings.set_inbox_waker(&parts_->inbox);
    parts_->chat.set_outbound_listener(&parts_->outbox);
    parts_->deliveries.set_outbound_listener(&parts_->outbox);
    parts_->outbox.set_whatsapp(&parts_->graph);
    parts_->outbox.set_owner(parts_->replica);
    parts_->heartbeat.start();
    parts_->outbox.start();
    parts_->inbox.start();
    parts_->poller.start();
  }
}

ChannelApp::~ChannelApp() {
  parts_->chat.set_event_sink(nullptr);  // hooks
  parts_->webhook_enqueuer.stop();  // writes what is queued
  parts_->webhook_dispatcher.stop();
  parts_->sweeper.stop();
  parts_->poller.stop();
  parts_->bindings.set_inbox_waker(nullptr);
  parts_->inbox.stop();
  parts_->chat.set_outbound_listener(nullptr);
  parts_->deliveries.set_outbound_listener(nullptr);
  parts_->outbox.stop();
  parts_->heartbeat.stop();
  parts_->chat.set_listener(nullptr);
  parts_->dispatcher.shutdown();
}

ChatService& ChannelApp::chat() { return parts_->chat; }
RoomService& ChannelApp::rooms() { return parts_->rooms; }
E2eeRoomKeys& ChannelApp::e2ee() { return parts_->e2ee; }
UnansweredQuestions& ChannelApp::unanswered() { return parts_->unanswered; }
MessageFeedbackService& ChannelApp::feedback() { return parts_->feedback; }
CannedResponses& ChannelApp::canned() { return parts_->canned; }
WebhookEndpoints& ChannelApp::webhooks() { return parts_->webhooks; }
WebhookEnqueuer& ChannelApp::webhook_enqueuer() { return parts_->webhook_enqueuer; }
WebhookDispatcher& ChannelApp::webhook_dispatcher() { return parts_->webhook_dispatcher; }
AttachmentService& ChannelApp::attachments() { return parts_->attachments; }
AttachmentSweeper& ChannelApp::attachment_sweeper() { return parts_->sweeper; }
ModelStatus& ChannelApp::model_status() { return parts_->model_status; }
MessageEdits& ChannelApp::edits() { return parts_->edits; }
ChannelBindings& ChannelApp::bindings() { return parts_->bindings; }
ChannelDeliveries& ChannelApp::deliveries() { return parts_->deliveries; }
InboxProcessor& ChannelApp::inbox() { return parts_->inbox; }
OutboxSender& ChannelApp::outbox() { return parts_->outbox; }

}  // namespace botfactory::channel
