#pragma once
// In-test stand-ins for bot-registry, subscription and ai-proxy (real gRPC servers on port 0
// with canned answers), a plain hiredis subscriber, and a harness running channel-connector's
// real wiring (ChannelApp) on a fresh database.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "botfactory/ai/v1/ai.grpc.pb.h"
#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/chat/v1/chat.grpc.pb.h"
#include "botfactory/common/random.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/server.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "../src/channels/binding_settings.hpp"  // relative: gateway tests include this file too
#include "../src/settings.hpp"

struct redisContext;

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {
class ChannelApp;
class ChannelBindingGrpc;
class ChannelConnectorGrpc;
class RoomGrpc;
class CannedGrpc;
class WebhookGrpc;
class ChatService;
class RoomService;
class MessageEdits;
}  // namespace botfactory::channel

namespace botfactory::channel::testing_support {

using common::random_uuid;  // a random version-4 UUID (botfactory/common/random.hpp)

/// registry.v1 GetBot over an in-memory map; other tenants' bots are NOT_FOUND.
class FakeRegistry final : public registry::v1::BotRegistryService::Service {
 public:
  /// Adds a bot and returns it (with a fresh id).
  registry::v1::Bot add_bot(const std::string& tenant_id, const std::string& name,
                            const std::string& language, const std::string& greeting);
  grpc::Status GetBot(grpc::ServerContext*, const registry::v1::GetBotRequest* request,
                      registry::v1::Bot* response) override;

 private:
  std::mutex mutex_;
  std::map<std::string, registry::v1::Bot> bots_;
};

/// billing.v1 ConsumeQuota: grants unless `exhausted`, then RESOURCE_EXHAUSTED; answers
/// tokens_used/tokens_limit as set. RecordTokenUsage: UNIMPLEMENTED unless `serve_token_usage`
/// (like a subscription built before it), else recorded (duplicate on a repeated reply_id).
class FakeSubscription final : public billing::v1::SubscriptionService::Service {
 public:
  /// GetSubscription: a plan whose only meaningful limit is `max_channels` (channel bindings).
  grpc::Status GetSubscription(grpc::ServerContext*, const billing::v1::GetSubscriptionRequest* request,
                               billing::v1::Subscription* response) override;
  grpc::Status ConsumeQuota(grpc::ServerContext*, const billing::v1::ConsumeQuotaRequest* request,
                            billing::v1::ConsumeQuotaResponse* response) override;
  grpc::Status RecordTokenUsage(grpc::ServerContext*,
                                const billing::v1::RecordTokenUsageRequest* request,
                                billing::v1::RecordTokenUsageResponse* response) override;
  /// The RecordTokenUsage requests recorded so far (duplicates left out).
  std::vector<billing::v1::RecordTokenUsageRequest> token_usage();

  std::atomic<bool> exhausted{false};
  std::atomic<int> calls{0};
  std::atomic<std::int64_t> tokens_used{0};
  std::atomic<std::int64_t> tokens_limit{0};
  std::atomic<bool> serve_token_usage{false};
  std::atomic<int> token_usage_calls{0};
  std::atomic<int> max_channels{1};
  std::atomic<std::int64_t> max_attachment_bytes{0};  // files: 0 = the plan names none
  std::atomic<std::int64_t> max_storage_bytes{0};     // tidy: 0 = the plan names none

 private:
  std::mutex mutex_;
  std::vector<billing::v1::RecordTokenUsageRequest> token_usage_;
};

/// ai.v1 Generate: streams `deltas` then a final reply of their concatenation with `sources`
/// and `usage` (set them before the call), or fails with `fail_code` (a RESOURCE_EXHAUSTED
/// carries a 30 s retry hint) when `fail` is set. Records the last request and the tenant of every call. A
/// held tenant's calls wait (at most 60 s) until release().
class FakeAi final : public ai::v1::AiProxyService::Service {
 public:
  grpc::Status Generate(grpc::ServerContext*, const ai::v1::GenerateRequest* request,
                        grpc::ServerWriter<ai::v1::GenerateResponse>* writer) override;
  ai::v1::GenerateRequest last_request();
  /// Calls of `tenant_id` wait until release().
  void hold(const std::string& tenant_id);
  /// Lets every held call go on.
  void release();
  /// Calls of `tenant_id` so far (held ones included).
  int calls_of(const std::string& tenant_id);

  std::vector<std::string> deltas{"Hello", ", ", "world"};
  std::vector<ai::v1::Source> sources;
  ai::v1::TokenUsage usage;
  std::string provider = "extractive";
  std::string model;
  std::string fallback_reason;  // FinalReply.fallback_reason ("" = the configured provider)
  std::atomic<bool> answered{true};  // FinalReply.answered (false: "I don't know")
  std::atomic<bool> fail{false};
  std::atomic<grpc::StatusCode> fail_code{grpc::StatusCode::UNAVAILABLE};
  std::atomic<int> calls{0};

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  ai::v1::GenerateRequest last_;
  std::set<std::string> held_;
  std::map<std::string, int> calls_by_tenant_;
};

/// SUBSCRIBE to one Redis channel with a plain blocking hiredis context.
class RedisListener {
 public:
  RedisListener(const std::string& host, int port, const std::string& channel);
  ~RedisListener();
  RedisListener(const RedisListener&) = delete;
  RedisListener& operator=(const RedisListener&) = delete;
  /// The next published payload, or std::nullopt when none arrives within 10 s (a deadline, not
  /// a timing assertion).
  std::optional<std::string> next();

 private:
  redisContext* context_ = nullptr;
};

/// Polls `condition` until it holds or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(15));

/// channel-connector on a fresh database and the test Redis, served on a gRPC port, with the
/// fakes above served on another: the one in-process channel-connector of the channel pgtests
/// and of the gateway pgtests that need the real one (attachments, channels, ingest). Its
/// attachments go to a fresh temporary directory, removed with the harness.
class Harness {
 public:
  /// `tweak` may change the settings (pipeline bounds, rates, thumbnails) before the service
  /// starts; by default the rates count under a key prefix of their own. With `bindings`, channel
  /// bindings are on (a test SecretBox) and ChannelBindingService is served too.
  explicit Harness(const std::function<void(ChannelSettings&)>& tweak = {},
                   std::optional<BindingSettings> bindings = std::nullopt);
  ~Harness();

  /// "127.0.0.1:<port>" of ChannelConnectorService, RoomService and CannedResponseService (and
  /// ChannelBindingService with bindings).
  std::string address() const;
  /// "127.0.0.1:<port>" of the fakes (registry, subscription, ai-proxy).
  std::string fakes_address() const;
  ChannelApp& app() { return *app_; }
  /// libpq conninfo of the harness's database (a test's own connection, e.g. to hold a lock).
  std::string conninfo() const { return database_.conninfo(); }
  const std::filesystem::path& attachments_dir() const { return attachments_dir_; }
  /// Regular files under the attachment directory (originals and thumbnails).
  std::size_t stored_files() const;
  /// The single int64 the query returns (count(*) and the like).
  std::int64_t count(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  /// A deterministic race against conversation `conversation_id`'s row lock (the lock every
  /// append, edit, leave and removal takes): a connection of its own locks the row, `racer` runs
  /// on a thread until a backend waits for a lock, then `under_lock` runs on the locking
  /// connection (what a leave / removal does) and commits; the racer is joined. If nothing ever
  /// waits, rolls back, joins and REQUIREs (fails the test). Returns the conversation's
  /// last_seq read under the lock.
  std::int64_t race_conversation_lock(const std::string& conversation_id, const std::function<void()>& racer,
                                      const std::function<void(pg::Connection&)>& under_lock);
  chat::v1::ChannelConnectorService::Stub& client() { return *stub_; }
  /// CreateConversation through gRPC; REQUIREs success.
  chat::v1::Conversation create_conversation(const std::string& tenant_id, const std::string& bot_id,
                                             const std::string& visitor_name = "");
  /// The tenant a conversation was created for by create_conversation(); a fresh random UUID
  /// for any other id (so the call reaches the service and finds nothing).
  std::string tenant_of(const std::string& conversation_id);
  /// PostMessage through gRPC, as the conversation's tenant (tenant_of); the sender's id is
  /// `sender_id`, or "sender-<client_id>" when empty.
  grpc::Status post(const std::string& conversation_id, const std::string& client_id,
                    common::v1::SenderKind kind, const std::string& text,
                    chat::v1::PostMessageResponse* response, const std::string& sender_id = "");
  /// SetConversationState through gRPC as `tenant_id`; the changed conversation into `out` when
  /// given. Returns the call's status.
  grpc::Status set_conversation_state(const std::string& tenant_id, const std::string& conversation_id,
                                      chat::v1::ConversationAction action,
                                      chat::v1::Conversation* out = nullptr);
  /// ListMessages through gRPC as the conversation's tenant (tenant_of); empty on error.
  std::vector<chat::v1::Message> messages(const std::string& conversation_id, std::int64_t since_seq = 0);
  /// A subscriber on chat:conv:<conversation_id> of the test Redis.
  std::unique_ptr<RedisListener> listen(const std::string& conversation_id);
  pg::Pool& pool() { return *pool_; }
  /// The in-process ChatService (for input gRPC itself would refuse to carry).
  ChatService& chat();
  /// The in-process RoomService (rooms_pgtest.cpp).
  RoomService& rooms();
  /// The in-process MessageEdits (room_history_edits_pgtest.cpp).
  MessageEdits& edits();

  FakeRegistry registry;
  FakeSubscription subscription;
  FakeAi ai;
  metrics::Registry metrics;

 private:
  testenv::TestDatabase database_;
  std::shared_ptr<pg::Pool> pool_;
  std::unique_ptr<rpc::Server> fakes_server_;
  std::unique_ptr<ChannelApp> app_;
  std::filesystem::path attachments_dir_;
  std::unique_ptr<ChannelConnectorGrpc> service_;
  std::unique_ptr<ChannelBindingGrpc> binding_service_;
  std::unique_ptr<RoomGrpc> room_service_;  // harden: rooms over gRPC (gateway room pgtests)
  std::unique_ptr<CannedGrpc> canned_service_;  // canned: saved replies, as main() serves them
  std::unique_ptr<WebhookGrpc> webhook_service_;  // hooks: outgoing webhooks
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<chat::v1::ChannelConnectorService::Stub> stub_;
  std::mutex tenants_mutex_;
  std::map<std::string, std::string> tenants_;  // conversation id -> tenant id
};

/// The tenant and bot (UUID strings) whose conversations a query-plan test lists.
struct PlanTestBot {
  std::string tenant;
  std::string bot;
};

/// Fills chat.conversations with 40 tenants × 50 conversations (2 000 rows, updated_at spread
/// over the last 60 days), for the query-plan tests: tenant 0's rows belong to a fresh tenant and
/// bot, returned; the others to random tenants and bots.
PlanTestBot insert_plan_test_conversations(pg::Connection& connection);

/// PostgreSQL's EXPLAIN of `sql` run with `params`, one plan row per line (for index checks).
std::string explain_plan(pg::Connection& connection, const std::string& sql,
                         const std::vector<pg::Param>& params);

}  // namespace botfactory::channel::testing_support
