#include "fake_services.hpp"

#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>
#include <hiredis/hiredis.h>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "rooms/room_service.hpp"
#include "botfactory/rpc/status.hpp"
#include "channel_app.hpp"
#include "channels/channel_binding_grpc_service.hpp"
#include "channels/channel_deliveries.hpp"
#include "chat/channel_grpc_service.hpp"
#include "rooms/room_grpc_service.hpp"
#include "canned/canned_grpc_service.hpp"
#include "webhooks/webhook_dispatcher.hpp"
#include "webhooks/webhook_grpc_service.hpp"
#include "botfactory/crypto/secret_box.hpp"
#include "chat/model_status.hpp"
#include "migrations.hpp"

namespace botfactory::channel::testing_support {

registry::v1::Bot FakeRegistry::add_bot(const std::string& tenant_id, const std::string& name,
                                        const std::string& language, const std::string& greeting) {
  registry::v1::Bot bot;
  bot.set_id(random_uuid());
  bot.set_tenant_id(tenant_id);
  bot.set_name(name);
  bot.set_language(language);
  bot.set_greeting(greeting);
  bot.set_instructions("Answer from the knowledge base.");
  bot.mutable_provider()->set_provider("extractive");
  std::lock_guard lock(mutex_);
  bots_[bot.id()] = bot;
  return bot;
}

grpc::Status FakeRegistry::GetBot(grpc::ServerContext*, const registry::v1::GetBotRequest* request,
                                  registry::v1::Bot* response) {
  std::lock_guard lock(mutex_);
  auto it = bots_.find(request->bot_id());
  if (it == bots_.end() || it->second.tenant_id() != request->tenant_id()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "bot not found");
  }
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeSubscription::GetSubscription(grpc::ServerContext*,
                                               const billing::v1::GetSubscriptionRequest* request,
                                               billing::v1::Subscription* response) {
  response->set_tenant_id(request->tenant_id());
  response->mutable_plan()->set_code("trial");
  response->mutable_plan()->mutable_limits()->set_max_channels(max_channels);
  response->mutable_plan()->mutable_limits()->set_max_attachment_bytes(max_attachment_bytes);
  response->mutable_plan()->mutable_limits()->set_max_storage_bytes(max_storage_bytes);
  return grpc::Status::OK;
}

grpc::Status FakeSubscription::ConsumeQuota(grpc::ServerContext*,
                                            const billing::v1::ConsumeQuotaRequest* request,
                                            billing::v1::ConsumeQuotaResponse* response) {
  ++calls;
  if (request->resource() != billing::v1::RESOURCE_BOT_REPLIES || request->amount() != 1) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unexpected resource or amount");
  }
  if (exhausted) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota exceeded: bot replies");
  }
  response->set_used(1);
  response->set_limit(100);
  response->set_tokens_used(tokens_used);
  response->set_tokens_limit(tokens_limit);
  return grpc::Status::OK;
}

grpc::Status FakeSubscription::RecordTokenUsage(grpc::ServerContext*,
                                                const billing::v1::RecordTokenUsageRequest* request,
                                                billing::v1::RecordTokenUsageResponse* response) {
  ++token_usage_calls;
  if (!serve_token_usage) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "");
  std::lock_guard lock(mutex_);
  for (const auto& recorded : token_usage_) {
    if (recorded.tenant_id() == request->tenant_id() && recorded.reply_id() == request->reply_id()) {
      response->set_duplicate(true);
      return grpc::Status::OK;
    }
  }
  token_usage_.push_back(*request);
  return grpc::Status::OK;
}

std::vector<billing::v1::RecordTokenUsageRequest> FakeSubscription::token_usage() {
  std::lock_guard lock(mutex_);
  return token_usage_;
}

grpc::Status FakeAi::Generate(grpc::ServerContext*, const ai::v1::GenerateRequest* request,
                              grpc::ServerWriter<ai::v1::GenerateResponse>* writer) {
  ++calls;
  {
    std::unique_lock lock(mutex_);
    last_ = *request;
    ++calls_by_tenant_[request->tenant_id()];
    released_.wait_for(lock, std::chrono::seconds(60),
                       [&] { return held_.count(request->tenant_id()) == 0; });
  }
  if (fail) {
    grpc::StatusCode code = fail_code;
    if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      try {
        rpc::throw_retry_later(code, "provider rate limited", 30);
      } catch (const rpc::StatusError& e) {
        return e.status();
      }
    }
    return grpc::Status(code, "provider unreachable");
  }
  std::string text;
  for (const auto& d : deltas) {
    ai::v1::GenerateResponse event;
    event.set_delta(d);
    writer->Write(event);
    text += d;
  }
  ai::v1::GenerateResponse final_event;
  final_event.mutable_final()->set_text(text);
  final_event.mutable_final()->set_provider(provider);
  final_event.mutable_final()->set_model(model);
  final_event.mutable_final()->set_fallback_reason(fallback_reason);
  final_event.mutable_final()->set_answered(answered.load());
  for (const auto& source : sources) *final_event.mutable_final()->add_sources() = source;
  *final_event.mutable_final()->mutable_usage() = usage;
  writer->Write(final_event);
  return grpc::Status::OK;
}

ai::v1::GenerateRequest FakeAi::last_request() {
  std::lock_guard lock(mutex_);
  return last_;
}

void FakeAi::hold(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  held_.insert(tenant_id);
}

void FakeAi::release() {
  {
    std::lock_guard lock(mutex_);
    held_.clear();
  }
  released_.notify_all();
}

int FakeAi::calls_of(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  auto it = calls_by_tenant_.find(tenant_id);
  return it == calls_by_tenant_.end() ? 0 : it->second;
}

RedisListener::RedisListener(const std::string& host, int port, const std::string& channel) {
  timeval timeout{10, 0};
  context_ = redisConnectWithTimeout(host.c_str(), port, timeout);
  if (context_ == nullptr || context_->err) {
    throw std::runtime_error("cannot connect to the test Redis");
  }
  redisSetTimeout(context_, timeout);
  auto* reply = static_cast<redisReply*>(redisCommand(context_, "SUBSCRIBE %s", channel.c_str()));
  if (reply == nullptr) throw std::runtime_error("SUBSCRIBE failed");
  freeReplyObject(reply);  // the subscription confirmation: the channel is live from here on
}

RedisListener::~RedisListener() {
  if (context_) redisFree(context_);
}

std::optional<std::string> RedisListener::next() {
  for (;;) {
    void* raw = nullptr;
    if (context_->err || redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      return std::nullopt;
    }
    auto* reply = static_cast<redisReply*>(raw);
    std::optional<std::string> payload;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
        std::string(reply->element[0]->str, reply->element[0]->len) == "message") {
      payload = std::string(reply->element[2]->str, reply->element[2]->len);
    }
    freeReplyObject(reply);
    if (payload) return payload;
  }
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

Harness::Harness(const std::function<void(ChannelSettings&)>& tweak,
                 std::optional<BindingSettings> bindings)
    : attachments_dir_(std::filesystem::temp_directory_path() / ("bf-att-" + random_uuid())) {
  pool_ = std::make_shared<pg::Pool>(database_.conninfo(), 8);
  {
    auto connection = pool_->acquire();
    pg::migrate(*connection, "chat", migrations::chat_migrations());
  }
  fakes_server_ = std::make_unique<rpc::Server>(
      "127.0.0.1:0", std::vector<grpc::Service*>{&registry, &subscription, &ai});
  std::string fakes = fakes_address();
  ChannelSettings settings;
  settings.redis_host = testenv::redis_host();
  settings.redis_port = testenv::redis_port();
  settings.registry_addr = fakes;
  settings.subscription_addr = fakes;
  settings.ai_proxy_addr = fakes;
  settings.pipeline_threads = 2;
  settings.redis_key_prefix = "test:" + random_uuid() + ":";
  settings.attachment_store.dir = attachments_dir_.string();
  // hooksec: a random WEBHOOK_SECRETS_KEY per harness.
  settings.webhook_secrets = std::make_shared<const crypto::SecretBox>(
      botfactory::crypto::SecretBox::decode_secret(botfactory::common::random_token(32)));
  if (tweak) tweak(settings);
  std::vector<grpc::Service*> services;
  if (bindings) {
    app_ = std::make_unique<ChannelApp>(
        pool_, settings, metrics, std::make_shared<const crypto::SecretBox>(std::string(32, 'g')),
        *bindings);
    binding_service_ = std::make_unique<ChannelBindingGrpc>(app_->bindings(), &app_->deliveries());
    services.push_back(binding_service_.get());
  } else {
    app_ = std::make_unique<ChannelApp>(pool_, settings, metrics);
  }
  service_ = std::make_unique<ChannelConnectorGrpc>(app_->chat(), &app_->model_status(), &app_->edits());
  service_->set_attachments(&app_->attachments());
  service_->set_unanswered(&app_->unanswered());  // unanswered questions
  service_->set_feedback(&app_->feedback());  // answer feedback
  services.push_back(service_.get());
  room_service_ = std::make_unique<RoomGrpc>(app_->rooms());
  services.push_back(room_service_.get());
  canned_service_ = std::make_unique<CannedGrpc>(app_->canned());
  services.push_back(canned_service_.get());
  webhook_service_ = std::make_unique<WebhookGrpc>(  // hooks: outgoing webhooks, as main() serves them
      app_->webhooks(), [this] { app_->webhook_dispatcher().wake(); });
  services.push_back(webhook_service_.get());
  server_ = std::make_unique<rpc::Server>("127.0.0.1:0", services);
  stub_ = chat::v1::ChannelConnectorService::NewStub(rpc::make_channel(address()));
}

Harness::~Harness() {
  ai.release();
  stub_.reset();
  server_.reset();
  binding_service_.reset();
  room_service_.reset();
  canned_service_.reset();
  webhook_service_.reset();
  service_.reset();
  app_.reset();  // joins the pipeline workers while the fakes still answer
  fakes_server_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(attachments_dir_, ignored);
}

std::string Harness::address() const { return "127.0.0.1:" + std::to_string(server_->port()); }

std::string Harness::fakes_address() const {
  return "127.0.0.1:" + std::to_string(fakes_server_->port());
}

std::size_t Harness::stored_files() const {
  std::size_t n = 0;
  std::error_code ec;
  if (!std::filesystem::exists(attachments_dir_, ec)) return 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(attachments_dir_, ec)) {
    n += e.is_regular_file() ? 1 : 0;
  }
  return n;
}

std::int64_t Harness::count(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  auto connection = pool_->acquire();
  return connection->exec(sql, params).int64(0, 0);
}

std::int64_t Harness::race_conversation_lock(const std::string& conversation_id,
                                             const std::function<void()>& racer,
                                             const std::function<void(pg::Connection&)>& under_lock) {
  pg::Connection blocker(conninfo());
  blocker.exec("BEGIN");
  auto locked_seq = blocker.exec("SELECT last_seq FROM chat.conversations WHERE id = $1::uuid FOR UPDATE",
                                 {conversation_id}).int64(0, 0);
  std::thread thread(racer);
  bool waiting = wait_until([&] {
    return count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'") > 0;
  });
  if (waiting) under_lock(blocker);
  blocker.exec(waiting ? "COMMIT" : "ROLLBACK");
  thread.join();
  REQUIRE(waiting);
  return locked_seq;
}

chat::v1::Conversation Harness::create_conversation(const std::string& tenant_id,
                                                    const std::string& bot_id,
                                                    const std::string& visitor_name) {
  grpc::ClientContext context;
  rpc::set_deadline(context, std::chrono::seconds(10));
  chat::v1::CreateConversationRequest request;
  request.set_tenant_id(tenant_id);
  request.set_bot_id(bot_id);
  request.set_visitor_name(visitor_name);
  chat::v1::Conversation conversation;
  auto status = stub_->CreateConversation(&context, request, &conversation);
  INFO(status.error_message());
  REQUIRE(status.ok());
  std::lock_guard lock(tenants_mutex_);
  tenants_[conversation.id()] = tenant_id;
  return conversation;
}

grpc::Status Harness::set_conversation_state(const std::string& tenant_id, const std::string& conversation_id,
                                             chat::v1::ConversationAction action, chat::v1::Conversation* out) {
  grpc::ClientContext context;
  rpc::set_deadline(context, std::chrono::seconds(10));
  chat::v1::SetConversationStateRequest request;
  request.set_tenant_id(tenant_id);
  request.set_conversation_id(conversation_id);
  request.set_action(action);
  chat::v1::Conversation ignored;
  return stub_->SetConversationState(&context, request, out != nullptr ? out : &ignored);
}

std::string Harness::tenant_of(const std::string& conversation_id) {
  std::lock_guard lock(tenants_mutex_);
  auto it = tenants_.find(conversation_id);
  return it == tenants_.end() ? random_uuid() : it->second;
}

grpc::Status Harness::post(const std::string& conversation_id, const std::string& client_id,
                           common::v1::SenderKind kind, const std::string& text,
                           chat::v1::PostMessageResponse* response, const std::string& sender_id) {
  grpc::ClientContext context;
  rpc::set_deadline(context, std::chrono::seconds(10));
  chat::v1::PostMessageRequest request;
  request.set_tenant_id(tenant_of(conversation_id));
  request.set_conversation_id(conversation_id);
  request.set_client_id(client_id);
  request.mutable_sender()->set_kind(kind);
  request.mutable_sender()->set_id(sender_id.empty() ? "sender-" + client_id : sender_id);
  request.mutable_sender()->set_name("Guest 1234");
  request.set_text(text);
  return stub_->PostMessage(&context, request, response);
}

std::vector<chat::v1::Message> Harness::messages(const std::string& conversation_id,
                                                 std::int64_t since_seq) {
  grpc::ClientContext context;
  rpc::set_deadline(context, std::chrono::seconds(10));
  chat::v1::ListMessagesRequest request;
  request.set_tenant_id(tenant_of(conversation_id));
  request.set_conversation_id(conversation_id);
  request.set_since_seq(since_seq);
  chat::v1::ListMessagesResponse response;
  if (!stub_->ListMessages(&context, request, &response).ok()) return {};
  return {response.messages().begin(), response.messages().end()};
}

ChatService& Harness::chat() { return app_->chat(); }
RoomService& Harness::rooms() { return app_->rooms(); }
MessageEdits& Harness::edits() { return app_->edits(); }

std::unique_ptr<RedisListener> Harness::listen(const std::string& conversation_id) {
  return std::make_unique<RedisListener>(testenv::redis_host(), testenv::redis_port(),
                                         chatwire::conversation_channel(conversation_id));
}

PlanTestBot insert_plan_test_conversations(pg::Connection& connection) {
  PlanTestBot listed{random_uuid(), random_uuid()};
  connection.exec(
      "INSERT INTO chat.conversations (tenant_id, bot_id, updated_at) "
      "SELECT CASE WHEN t = 0 THEN $1::uuid ELSE gen_random_uuid() END, "
      "CASE WHEN t = 0 THEN $2::uuid ELSE gen_random_uuid() END, now() - (c % 60) * interval '1 day' "
      "FROM generate_series(0, 39) t, generate_series(1, 50) c",
      {listed.tenant, listed.bot});
  return listed;
}

std::string explain_plan(pg::Connection& connection, const std::string& sql,
                         const std::vector<pg::Param>& params) {
  auto plan = connection.exec("EXPLAIN " + sql, params);
  std::string text;
  for (int i = 0; i < plan.rows(); ++i) text += plan.str(i, 0) + "\n";
  return text;
}

}  // namespace botfactory::channel::testing_support
