#pragma once
// The channel-connector test harness shared by the channel pgtests: ChannelApp with channel
// bindings on, real PostgreSQL and Redis, the fakes of fake_services.hpp on a gRPC port, the fake
// Telegram Bot API and the fake Meta Graph API.

#include <catch2/catch.hpp>

#include <thread>

#include "botfactory/pg/migrator.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/rpc/status.hpp"
#include "channel_app.hpp"
#include "channels/channel_bindings.hpp"
#include "channels/channel_repository.hpp"
#include "chat/chat_service.hpp"
#include "chat/chat_store.hpp"
#include "fake_services.hpp"
#include "fake_telegram.hpp"
#include "migrations.hpp"
#include "channels/telegram_text.hpp"

#include "fake_meta.hpp"

namespace botfactory::channel::testing_support {



/// channel-connector's real wiring (ChannelApp) with channel bindings on, the fakes of
/// fake_services.hpp on a gRPC port and the fake Telegram API.
struct ChannelHarness {
  explicit ChannelHarness(const std::function<void(BindingSettings&)>& tweak = {}) {
    pool = std::make_shared<pg::Pool>(database.conninfo(), 8);
    {
      auto connection = pool->acquire();
      pg::migrate(*connection, "chat", migrations::chat_migrations());
    }
    fakes = std::make_unique<rpc::Server>("127.0.0.1:0",
                                          std::vector<grpc::Service*>{&registry, &subscription, &ai});
    std::string address = "127.0.0.1:" + std::to_string(fakes->port());
    settings.redis_host = testenv::redis_host();
    settings.redis_port = testenv::redis_port();
    settings.registry_addr = address;
    settings.subscription_addr = address;
    settings.ai_proxy_addr = address;
    settings.pipeline_threads = 2;
    settings.redis_key_prefix = "test:" + random_uuid() + ":";
    bindings.telegram_api_base_url = telegram.base_url();
    bindings.meta_graph_base_url = meta.base_url();
    bindings.poller.timeout_s = 1;
    bindings.poller.refresh = std::chrono::milliseconds(200);
    bindings.outbox.idle_poll = std::chrono::milliseconds(100);
    bindings.outbox.backoff_base = std::chrono::milliseconds(200);
    bindings.outbox.rates.per_chat_interval = std::chrono::milliseconds(0);
    bindings.inbox.idle_poll = std::chrono::milliseconds(100);
    if (tweak) tweak(bindings);
    tenant = random_uuid();
    bot = registry.add_bot(tenant, "Mozilla Help", "en", "");
    start();
  }
  ~ChannelHarness() {
    ai.release();
    app.reset();
    fakes.reset();
  }
  void start() { app = std::make_unique<ChannelApp>(pool, settings, metrics, box, bindings); }
  void stop() { app.reset(); }

  ChannelView connect(const std::string& token, const std::string& mode) {
    return app->bindings().connect(ConnectRequest{tenant, bot.id(), "telegram", mode, token});
  }
  std::int64_t count(const std::string& sql, const std::vector<pg::Param>& params = {}) {
    auto connection = pool->acquire();
    return connection->exec(sql, params).int64(0, 0);
  }
  std::string text(const std::string& sql, const std::vector<pg::Param>& params = {}) {
    auto connection = pool->acquire();
    auto r = connection->exec(sql, params);
    return r.rows() ? r.str(0, 0) : std::string();
  }
  /// An operator message in `conversation_id`, through ChatService like the WebSocket's.
  void operator_says(const std::string& conversation_id, const std::string& client_id,
                     const std::string& words) {
    chat::v1::PostMessageRequest request;
    request.set_tenant_id(tenant);
    request.set_conversation_id(conversation_id);
    request.set_client_id(client_id);
    request.mutable_sender()->set_kind(common::v1::SENDER_KIND_OPERATOR);
    request.mutable_sender()->set_id("operator-1");
    request.mutable_sender()->set_name("Olga");
    request.set_text(words);
    app->chat().post_message(request);
  }
  std::vector<std::string> texts_sent() {
    std::vector<std::string> out;
    for (const auto& s : telegram.sent()) out.push_back(s.text);
    return out;
  }

  FakeRegistry registry;
  FakeSubscription subscription;
  FakeAi ai;
  FakeTelegram telegram;
  FakeMeta meta;
  metrics::Registry metrics;
  testenv::TestDatabase database;
  std::shared_ptr<pg::Pool> pool;
  std::unique_ptr<rpc::Server> fakes;
  std::shared_ptr<const crypto::SecretBox> box =
      std::make_shared<const crypto::SecretBox>(std::string(32, 'k'));
  ChannelSettings settings;
  BindingSettings bindings;
  std::unique_ptr<ChannelApp> app;
  std::string tenant;
  registry::v1::Bot bot;
};

inline grpc::StatusCode code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const rpc::StatusError& e) {
    return e.code();
  }
  return grpc::StatusCode::OK;
}


}  // namespace botfactory::channel::testing_support
