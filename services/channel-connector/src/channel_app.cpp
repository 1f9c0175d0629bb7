#include "channel_app.hpp"

#include "bot_pipeline.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/rpc/client.hpp"
#include "chat_rate_limits.hpp"
#include "chat_service.hpp"
#include "chat_store.hpp"
#include "grpc_clients.hpp"
#include "pipeline_dispatcher.hpp"

namespace botfactory::channel {

namespace {
// Redis counts every visitor message inside its PostMessage transaction: keep a stuck Redis short.
constexpr std::chrono::milliseconds kRateCounterTimeout{250};
}  // namespace

// Members in dependency order: each is destroyed before what it uses.
struct ChannelApp::Parts {
  Parts(std::shared_ptr<pg::Pool> pool_in, const ChannelSettings& s, metrics::Registry& registry)
      : pool(std::move(pool_in)),
        store(*pool),
        publisher(s.redis_host, s.redis_port, std::chrono::milliseconds(1000),
                  s.redis_credentials),
        bots(rpc::make_channel(s.registry_addr), s.rpc_timeout),
        quota(rpc::make_channel(s.subscription_addr), s.rpc_timeout),
        meter(rpc::make_channel(s.subscription_addr), s.rpc_timeout),
        generator(rpc::make_channel(s.ai_proxy_addr), s.ai_timeout),
        hits(s.redis_host, s.redis_port, kRateCounterTimeout, s.redis_credentials),
        rates(hits,
              ChatRateSettings{s.visitor_messages_per_min, s.bot_replies_per_min,
                               s.redis_key_prefix},
              registry),
        chat(store, publisher, bots, registry, &rates),
        pipeline(bots, quota, generator, chat, rates, meter, registry,
                 PipelineSettings{s.history_turns,
                                  CoalesceSettings{s.delta_flush_interval, s.delta_flush_bytes}}),
        dispatcher(pipeline,
                   DispatchSettings{s.pipeline_threads, s.pipeline_queue_capacity,
                                    s.pipeline_tenant_queue_capacity,
                                    s.pipeline_tenant_max_running},
                   registry) {}

  std::shared_ptr<pg::Pool> pool;
  ChatStore store;
  redis::Publisher publisher;
  RegistryBotDirectory bots;
  SubscriptionQuotaGate quota;
  SubscriptionTokenMeter meter;
  AiProxyReplyGenerator generator;
  RedisHitCounter hits;
  ChatRateLimits rates;
  ChatService chat;
  BotPipeline pipeline;
  PipelineDispatcher dispatcher;
};

ChannelApp::ChannelApp(std::shared_ptr<pg::Pool> pool, const ChannelSettings& settings,
                       metrics::Registry& registry)
    : parts_(std::make_unique<Parts>(std::move(pool), settings, registry)) {
  parts_->chat.set_listener(&parts_->dispatcher);
}

ChannelApp::~ChannelApp() {
  parts_->chat.set_listener(nullptr);
  parts_->dispatcher.shutdown();
}

ChatService& ChannelApp::chat() { return parts_->chat; }

}  // namespace botfactory::channel
