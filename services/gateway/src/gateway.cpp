#include "gateway.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/http_endpoint.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/jwt/tokens.hpp"
#include "botfactory/redis/presence_heartbeat.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/redis/subscriber.hpp"
#include "ws/call_signalling.hpp"
#include "ws/chat_ops.hpp"
#include "ws/ingest_limiter.hpp"
#include "http/client_rate_limit.hpp"
#include "fanout/fanout_hub.hpp"
#include "gateway_metrics.hpp"
#include "http/connection_limits.hpp"
#include "http/http_server.hpp"
#include "rest/rest_api.hpp"
#include "server_context.hpp"
#include "ws/session_registry.hpp"
#include "ws/visitor_presence.hpp"
#include "ws/room_ops.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "http/static_files.hpp"
#include "http/token_revocation.hpp"
#include "rest/dependency_monitor.hpp"
#include "rest/upstreams.hpp"
#include "work_queue.hpp"

namespace botfactory::gateway {

namespace net = boost::asio;

constexpr std::chrono::milliseconds kMaxSweepInterval{5000};
constexpr std::chrono::milliseconds kMinSweepInterval{50};
// How long the hub keeps a conversation's frames for sockets that fell behind (see FanoutHub).
constexpr std::chrono::milliseconds kRecentFramesAge{30000};

/// Connection housekeeping period: 5 s, or a quarter of WS_SEND_TIMEOUT_MS when that is shorter,
/// so a stalled write is noticed within 1.25 × the timeout.
std::chrono::milliseconds sweep_interval(const GatewaySettings& settings) {
  return std::clamp(settings.ws_send_timeout / 4, kMinSweepInterval, kMaxSweepInterval);
}

redis::PresenceSettings presence_settings(const GatewaySettings& settings) {
  redis::PresenceSettings presence;
  presence.heartbeat = settings.presence_heartbeat;
  presence.ttl = settings.presence_ttl;
  return presence;
}

redis::SubscriberOptions subscriber_options(const GatewaySettings& settings) {
  redis::SubscriberOptions options;
  options.host = settings.redis_host;
  options.port = settings.redis_port;
  options.client_name = settings.redis_client_name;
  options.credentials = settings.redis_credentials;
  return options;
}

std::unique_ptr<TokenRevocations> token_revocations(net::io_context& io,
                                                    const GatewaySettings& settings) {
  TokenRevocationSettings r;
  r.max_entries = settings.token_revocation_cache_max;
  r.cache_ttl = settings.token_revocation_cache_ttl;
  r.key_prefix = settings.redis_key_prefix;
  return std::make_unique<TokenRevocations>(
      io, r,
      std::make_unique<redis::BlockingClient>(settings.redis_host, settings.redis_port,
                                              r.redis_timeout, settings.redis_credentials),
      subscriber_options(settings));
}

CallSettings call_settings(const GatewaySettings& settings) {
  CallSettings c;
  c.ring_timeout = settings.call_ring_timeout;
  c.max_call = settings.call_max;
  c.ice_servers_json = settings.webrtc_ice_servers;
  c.key_prefix = settings.redis_key_prefix;
  return c;
}

struct Gateway::Impl {
  explicit Impl(GatewaySettings s)
      : settings(std::move(s)),
        io(std::make_unique<net::io_context>(1)),
        workers(static_cast<std::size_t>(settings.workers), settings.worker_queue),
        upstreams(Upstreams::connect(settings)),
        verifier(settings.jwt_secret, settings.jwt_issuer),
        revocations(token_revocations(*io, settings)),
        rest(upstreams, verifier, revocations.get(), &publisher),  // publisher: declared later, used later
        limits(settings),
        static_files(settings.web_root),
        publisher(settings.redis_host, settings.redis_port, std::chrono::milliseconds(1000),
                  settings.redis_credentials),
        chat(upstreams, &publisher),
        subscriber(std::make_unique<redis::Subscriber>(*io, subscriber_options(settings))),
        hub(*subscriber, RecentWindow{settings.fanout_recent_frames, kRecentFramesAge}),
        connections(static_cast<std::size_t>(settings.max_connections),
                    static_cast<std::size_t>(settings.max_connections_per_ip)),
        dependencies(upstreams, [this] { return subscriber && subscriber->connected(); }),
        heartbeat(settings.redis_host, settings.redis_port, settings.redis_credentials,
                  presence_settings(settings)),
        replica(VisitorPresence::unique_replica_name()),
        presence(heartbeat, settings.redis_key_prefix, replica),
        calls(io->get_executor(), workers, upstreams, publisher,
              std::make_unique<redis::BlockingClient>(settings.redis_host, settings.redis_port,
                                                      std::chrono::milliseconds(1000),
                                                      settings.redis_credentials),
              call_settings(settings)),
        presence_client(settings.redis_host, settings.redis_port, std::chrono::milliseconds(250),
                        settings.redis_credentials),
        rooms(upstreams, &publisher, heartbeat, &presence_client,
              RoomPresenceSettings{settings.redis_key_prefix, replica, settings.room_typing_ttl}),
        context{settings, workers, upstreams, verifier, rest, limits, static_files, chat, hub,
                *subscriber, sessions, connections, dependencies, GatewayMetrics::get(),
                stopping, presence, rooms, ingest, &calls, revocations.get()},
        server(std::make_unique<HttpServer>(*io, context)) {}

  GatewaySettings settings;
  std::unique_ptr<net::io_context> io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  WorkQueue workers;
  Upstreams upstreams;
  jwt::TokenVerifier verifier;
  std::unique_ptr<TokenRevocations> revocations;  // own pub/sub connection on `io`
  RestApi rest;
  ClientRateLimits limits;
  StaticFiles static_files;
  redis::Publisher publisher;  // typing events (ChatOps::publish_typing), message.feedback (rest)
  ChatOps chat;
  std::unique_ptr<redis::Subscriber> subscriber;
  FanoutHub hub;
  SessionRegistry sessions;
  ConnectionLimits connections;
  DependencyMonitor dependencies;
  redis::PresenceHeartbeat heartbeat;  // visitor presence per conversation, own Redis connection
  std::string replica;                 // this process's presence member name
  VisitorPresence presence;
  CallSignalling calls;  // calls: ring timers on the I/O thread, state in Redis
  redis::BlockingClient presence_client;  // room presence reads (RoomOps::online)
  RoomOps rooms;
  std::atomic<bool> stopping{false};
  IngestLimiter ingest{settings.ingest_max_in_flight,
                       std::chrono::milliseconds(settings.ingest_max_queue_wait_ms),
                       settings.ingest_max_calls};
  ServerContext context;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<metrics::HttpEndpoint> ops;  // GATEWAY_METRICS_LISTEN, when set
  std::unique_ptr<net::steady_timer> sweep;
  std::vector<std::thread> threads;
  bool started = false;

  /// Connection housekeeping every sweep_interval() (stalled writes, keep-alive pings, idle and
  /// close timeouts).
  void schedule_sweep() {
    sweep->expires_after(sweep_interval(settings));
    sweep->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      auto now = std::chrono::steady_clock::now();
      hub.expire(now);
      sessions.tick_all(now);
      schedule_sweep();
    });
  }
  bool stopped = false;
};

Gateway::Gateway(GatewaySettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}

Gateway::~Gateway() { stop(); }

void Gateway::start() {
  auto& d = *impl_;
  auto [host, listen_port] = split_host_port(d.settings.http_listen);
  d.server->start(host, listen_port);
  d.subscriber->start();
  // An announced revocation closes the user's sockets at once (WsSession's tick checks it).
  d.revocations->on_revoked([&d] { d.sessions.tick_all(std::chrono::steady_clock::now()); });
  d.revocations->start();
  d.dependencies.start();
  d.heartbeat.start();
  if (!d.settings.metrics_listen.empty()) {
    auto [ops_host, ops_port] = split_host_port(d.settings.metrics_listen);
    d.ops = std::make_unique<metrics::HttpEndpoint>(ops_host, ops_port, metrics::Registry::global(),
                                                    [&d] { return d.dependencies.ready(); });
  }
  d.sweep = std::make_unique<net::steady_timer>(*d.io);
  d.schedule_sweep();
  d.work.emplace(d.io->get_executor());
  // One I/O thread: connections, the hub and the subscriber share it without locks or strands
  // (scaling is by replicas, docs/architecture.md).
  d.threads.emplace_back([io = d.io.get()] {
    for (;;) {
      try {
        io->run();
        return;
      } catch (const std::exception& e) {
        common::logger("gateway")->error("I/O thread: {}", common::json_escape(e.what()));
      }
    }
  });
  d.started = true;
  common::logger("gateway")->info("listening on {}:{} (web root {})", host, port(),
                                  common::json_escape(d.settings.web_root));
}

unsigned short Gateway::port() const { return impl_->server ? impl_->server->port() : 0; }

int Gateway::metrics_port() const { return impl_->ops ? impl_->ops->port() : 0; }

void Gateway::stop(std::chrono::milliseconds grace) {
  auto& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  if (d.started) {
    d.stopping = true;
    d.server->stop_accepting();
    d.sessions.shutdown_all();
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (d.sessions.size() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (auto left = d.sessions.size(); left > 0) {
      common::logger("gateway")->warn("{} connections still open at shutdown", left);
    }
  }
  d.dependencies.stop();
  d.heartbeat.stop();  // removes this replica from every conversation it still held
  if (d.ops) d.ops->stop();
  d.subscriber->stop();
  d.revocations->stop();
  d.workers.join();  // in-flight upstream calls end within their deadline
  // Asynchronous PostMessage calls too: their answers are posted to the I/O thread (still
  // running) and use the stubs, so both must outlive them.
  if (!d.ingest.wait_idle(d.settings.rpc_timeout + std::chrono::seconds(1))) {
    common::logger("gateway")->warn("{} messages still in flight at shutdown", d.ingest.in_flight());
  }
  d.work.reset();
  d.io->stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  d.calls.stop();  // ring timers, before the io_context they belong to goes
  // Teardown order: whatever is still queued in the io_context (sessions, the subscriber's
  // state) is destroyed with it, while the hub and the registry it refers to still exist.
  d.hub.stop();
  d.sweep.reset();
  d.server.reset();
  d.subscriber.reset();
  d.revocations.reset();
  d.io.reset();
  if (d.started) common::logger("gateway")->info("stopped");
}

bool Gateway::redis_connected() const { return impl_->subscriber && impl_->subscriber->connected(); }

std::size_t Gateway::connection_count() const { return impl_->sessions.size(); }

FanoutHub& Gateway::hub() { return impl_->hub; }

}  // namespace botfactory::gateway
