// Outgoing webhooks against real PostgreSQL, real gRPC (WebhookEndpointService served by
// channel-connector's real wiring) and a real local HTTP receiver on 127.0.0.1:0: chat events
// queue deliveries after their commit, the dispatcher signs (HMAC-SHA256, Stripe's scheme),
// retries on the injected clock (500 then 200, six attempts then failed), refuses loopback
// addresses with WEBHOOK_ALLOW_PRIVATE off, keeps tenants apart and holds its bounds.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <thread>

#include "botfactory/chat/v1/webhook_endpoints.grpc.pb.h"
#include "botfactory/common/random.hpp"
#include "botfactory/crypto/secret_box.hpp"
#include "botfactory/http_client/http_client.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/testenv/http_test_server.hpp"
#include "channel_app.hpp"
#include "fake_services.hpp"
#include "webhooks/webhook_dispatcher.hpp"
#include "webhooks/webhook_endpoints.hpp"
#include "webhooks/webhook_enqueuer.hpp"
#include "webhooks/webhook_repository.hpp"
#include "webhooks/webhook_signature.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using botfactory::channel::WebhookDispatcher;
using botfactory::crypto::SecretBox;
using botfactory::channel::WebhookDispatchSettings;
using botfactory::channel::WebhookEndpoints;
using botfactory::channel::WebhookEventRow;
using botfactory::channel::WebhookInvalid;
using botfactory::channel::WebhookRepository;
using botfactory::testenv::HttpTestConnection;
using botfactory::testenv::HttpTestRequest;
using botfactory::testenv::HttpTestServer;
using namespace botfactory::channel::testing_support;

namespace {

constexpr std::int64_t kSecond = 1'000'000;

/// The harness (WebhookEndpointService as main() serves it, private addresses allowed for the
/// local receiver) with its own dispatcher thread stopped: the tests drive a dispatcher of their
/// own on an injected clock.
struct WebhookFixture {
  explicit WebhookFixture(int max = 10)
      : h([max, this](botfactory::channel::ChannelSettings& s) {
          s.webhook_secrets = box;  // WEBHOOK_SECRETS_KEY of the served app
          s.pipeline_threads = 1;
          s.webhook_endpoints_max = max;
          s.webhooks.allow_private = true;
          s.webhook_cache_ttl = std::chrono::milliseconds(0);
        }) {
    h.app().webhook_dispatcher().stop();
  }
  /// The app's WEBHOOK_SECRETS_KEY: a random 32-byte key.
  std::shared_ptr<const SecretBox> box = random_box();
  Harness h;
  std::unique_ptr<chatv1::WebhookEndpointService::Stub> stub =
      chatv1::WebhookEndpointService::NewStub(botfactory::rpc::make_channel(h.address()));
  WebhookRepository rows{h.pool()};
  botfactory::http::Client http;
  std::atomic<std::int64_t> now{1'900'000'000LL * kSecond};

  static std::shared_ptr<const SecretBox> random_box() {
    return std::make_shared<const SecretBox>(SecretBox::decode_secret(botfactory::common::random_token(32)));
  }
  /// A dispatcher opening secrets with `key` (default: the app's own).
  WebhookDispatcher dispatcher(bool allow_private, int pending_cap = 10000,
                               std::shared_ptr<const SecretBox> key = nullptr) {
    WebhookDispatchSettings settings;
    settings.allow_private = allow_private;
    settings.pending_cap = pending_cap;
    settings.total_timeout = std::chrono::milliseconds(5000);
    return WebhookDispatcher(rows, key ? key : box, http, settings, h.metrics,
                             [this] { return now.load(); });
  }

  grpc::Status create(const std::string& tenant, const std::string& url,
                      const std::vector<std::string>& events,
                      chatv1::CreateWebhookEndpointResponse* out = nullptr) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::CreateWebhookEndpointRequest request;
    request.set_tenant_id(tenant);
    request.set_url(url);
    for (const auto& e : events) request.add_events(e);
    chatv1::CreateWebhookEndpointResponse ignored;
    return stub->CreateWebhookEndpoint(&context, request, out ? out : &ignored);
  }
  chatv1::CreateWebhookEndpointResponse must_create(const std::string& tenant, const std::string& url,
                                                    const std::vector<std::string>& events) {
    chatv1::CreateWebhookEndpointResponse out;
    auto status = create(tenant, url, events, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return out;
  }
  grpc::Status deliveries(const std::string& tenant, const std::string& id,
                          chatv1::ListWebhookDeliveriesResponse* out) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::ListWebhookDeliveriesRequest request;
    request.set_tenant_id(tenant);
    request.set_id(id);
    return stub->ListWebhookDeliveries(&context, request, out);
  }
  /// Waits (bounded poll, ≤ 10 s) until the endpoint holds at least `n` delivery rows.
  std::int64_t wait_rows(const std::string& endpoint_id, std::int64_t n, const std::string& extra = "") {
    std::int64_t found = 0;
    for (int i = 0; i < 200; ++i) {
      found = h.count("SELECT count(*) FROM chat.webhook_deliveries WHERE endpoint_id = $1" + extra,
                      {endpoint_id});
      if (found >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return found;
  }
};

/// A receiver answering the statuses in `script` in turn (the last one repeats).
struct Receiver {
  explicit Receiver(std::vector<int> script_in)
      : script(std::move(script_in)),
        server([this](const HttpTestRequest&, HttpTestConnection& c) {
          const auto i = static_cast<std::size_t>(calls.fetch_add(1));
          c.respond(script[std::min(i, script.size() - 1)], "text/plain", "ok");
        }) {}
  std::vector<int> script;
  std::atomic<int> calls{0};
  HttpTestServer server;
  std::string url() const { return server.base_url() + "/hook"; }
};

/// The BotFactory-Signature of `request` is t=<expected_t>,v1=HMAC(secret, "<t>.<body>").
void check_signature(const HttpTestRequest& request, const std::string& secret, std::int64_t expected_t) {
  auto header = request.headers.at("botfactory-signature");
  CHECK(header == botfactory::channel::webhook_signature(secret, expected_t, request.body));
  CHECK(header.rfind("t=" + std::to_string(expected_t) + ",v1=", 0) == 0);
  // A receiver holding another secret does not accept it.
  CHECK(header != botfactory::channel::webhook_signature(secret + "x", expected_t, request.body));
}

}  // namespace

TEST_CASE("webhooks: the URL guard refuses non-https, private, loopback and metadata hosts") {
  for (const char* bad : {"http://example.com/hook", "ftp://example.com/x", "https://127.0.0.1/x",
                          "https://10.1.2.3/x", "https://169.254.169.254/latest/meta-data",
                          "https://[::1]:8443/x", "https://0x7f.1/x", "https://localhost/x",
                          "https://user:pw@example.com/x", "not a url", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(WebhookEndpoints::check_url(bad, false), WebhookInvalid);
  }
  CHECK_THROWS_AS(WebhookEndpoints::check_url("https://example.com/" + std::string(2040, 'a'), false),
                  WebhookInvalid);
  CHECK_NOTHROW(WebhookEndpoints::check_url("https://hooks.example.com/bf?x=1", false));
  // WEBHOOK_ALLOW_PRIVATE (tests, make run): http:// and loopback are accepted.
  CHECK_NOTHROW(WebhookEndpoints::check_url("http://127.0.0.1:8080/hook", true));
  CHECK_THROWS_AS(WebhookEndpoints::check_url("ftp://127.0.0.1/", true), WebhookInvalid);
  CHECK_THROWS_AS(WebhookEndpoints::check_events({"message.deleted"}), WebhookInvalid);
  CHECK_THROWS_AS(WebhookEndpoints::check_events({}), WebhookInvalid);
  CHECK(WebhookEndpoints::check_events({"message.created", "conversation.created", "message.created"}) ==
        std::vector<std::string>{"conversation.created", "message.created"});
}

TEST_CASE("webhooks: chat events queue deliveries after their commit, only for the tenant's "
          "enabled endpoints subscribed to them") {
  WebhookFixture f;
  const auto tenant = random_uuid();
  const auto other_tenant = random_uuid();
  auto all = f.must_create(tenant, "http://127.0.0.1:9/all",
                           {"message.created", "conversation.created", "handoff.requested"});
  CHECK(all.secret().rfind("whsec_", 0) == 0);
  CHECK(all.secret().size() > 40);
  auto handoff_only = f.must_create(tenant, "http://127.0.0.1:9/handoff", {"handoff.requested"});
  auto elsewhere = f.must_create(other_tenant, "http://127.0.0.1:9/other", {"message.created"});
  auto disabled = f.must_create(tenant, "http://127.0.0.1:9/off", {"message.created"});
  {
    grpc::ClientContext context;
    chatv1::UpdateWebhookEndpointRequest request;
    request.set_tenant_id(tenant);
    request.set_id(disabled.endpoint().id());
    request.set_enabled(false);
    chatv1::WebhookEndpoint out;
    REQUIRE(f.stub->UpdateWebhookEndpoint(&context, request, &out).ok());
    CHECK_FALSE(out.enabled());
  }

  auto bot = f.h.registry.add_bot(tenant, "Helper", "en", "Hello there");
  auto conversation = f.h.create_conversation(tenant, bot.id(), "Ann");
  chatv1::PostMessageResponse posted;
  REQUIRE(f.h.post(conversation.id(), "c1", commonv1::SENDER_KIND_VISITOR, "Where is my order?", &posted).ok());
  REQUIRE(f.h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_REQUEST_HUMAN).ok());

  // conversation.created, the greeting, the visitor's message, the bot's reply, handoff.requested.
  CHECK(f.wait_rows(all.endpoint().id(), 5) >= 5);
  CHECK(f.wait_rows(handoff_only.endpoint().id(), 1) == 1);
  CHECK(f.h.count("SELECT count(*) FROM chat.webhook_deliveries WHERE endpoint_id = $1 AND event <> 'handoff.requested'",
                  {handoff_only.endpoint().id()}) == 0);
  CHECK(f.h.count("SELECT count(*) FROM chat.webhook_deliveries WHERE endpoint_id IN ($1, $2)",
                  {elsewhere.endpoint().id(), disabled.endpoint().id()}) == 0);

  // The visitor's message as a receiver sees it.
  auto conn = f.h.pool().acquire();
  auto r = conn->exec("SELECT payload FROM chat.webhook_deliveries WHERE endpoint_id = $1 "
                      "AND event = 'message.created' AND payload LIKE '%\"role\":\"visitor\"%'",
                      {all.endpoint().id()});
  REQUIRE(r.rows() == 1);
  auto payload = boost::json::parse(r.str(0, 0)).as_object();
  CHECK(payload.at("event").as_string() == "message.created");
  CHECK(payload.at("tenant_id").as_string() == tenant);
  const auto& data = payload.at("data").as_object();
  CHECK(data.at("conversation_id").as_string() == conversation.id());
  CHECK(data.at("bot_id").as_string() == bot.id());
  CHECK(data.at("channel").as_string() == "web");
  CHECK(data.at("seq").as_int64() == posted.message().seq());
  CHECK(data.at("text").as_string() == "Where is my order?");
  CHECK(data.at("author").as_object().at("role").as_string() == "visitor");
  CHECK(data.at("author").as_object().at("id").as_string() == "sender-c1");
  auto kinds = conn->exec("SELECT event, count(*) FROM chat.webhook_deliveries WHERE endpoint_id = $1 "
                          "GROUP BY event ORDER BY event", {all.endpoint().id()});
  REQUIRE(kinds.rows() == 3);
  CHECK(kinds.str(0, 0) == "conversation.created");
  CHECK(kinds.str(1, 0) == "handoff.requested");
  CHECK(kinds.str(2, 0) == "message.created");
  CHECK(kinds.int64(2, 1) >= 3);  // greeting, visitor, bot reply
}

TEST_CASE("webhooks: a delivery is signed, retried after 500 on the backoff schedule, then delivered") {
  WebhookFixture f;
  Receiver receiver({500, 200});
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, receiver.url(), {"message.created"});
  REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", R"({"event":"message.created","n":1})"}}) == 1);
  auto dispatcher = f.dispatcher(true);

  const auto t0 = f.now.load();
  CHECK(dispatcher.deliver_due() == 1);
  REQUIRE(receiver.server.requests().size() == 1);
  auto first = receiver.server.requests()[0];
  CHECK(first.method == "POST");
  CHECK(first.target == "/hook");
  CHECK(first.headers.at("content-type") == "application/json");
  CHECK(first.headers.at("botfactory-event") == "message.created");
  CHECK(first.body == R"({"event":"message.created","n":1})");
  check_signature(first, endpoint.secret(), t0 / kSecond);
  const auto delivery_id = first.headers.at("botfactory-delivery");

  chatv1::ListWebhookDeliveriesResponse log;
  REQUIRE(f.deliveries(tenant, endpoint.endpoint().id(), &log).ok());
  REQUIRE(log.deliveries_size() == 1);
  CHECK(log.deliveries(0).id() == delivery_id);
  CHECK(log.deliveries(0).status() == "pending");
  CHECK(log.deliveries(0).attempts() == 1);
  CHECK(log.deliveries(0).last_status_code() == 500);
  CHECK(log.deliveries(0).next_attempt_at().seconds() == t0 / kSecond + 30);

  f.now = t0 + 29 * kSecond;  // not due yet
  CHECK(dispatcher.deliver_due() == 0);
  f.now = t0 + 31 * kSecond;
  CHECK(dispatcher.deliver_due() == 1);
  REQUIRE(receiver.server.requests().size() == 2);
  auto second = receiver.server.requests()[1];
  CHECK(second.headers.at("botfactory-delivery") == delivery_id);  // the receiver's dedup key
  check_signature(second, endpoint.secret(), (t0 + 31 * kSecond) / kSecond);

  log.Clear();
  REQUIRE(f.deliveries(tenant, endpoint.endpoint().id(), &log).ok());
  CHECK(log.deliveries(0).status() == "delivered");
  CHECK(log.deliveries(0).attempts() == 2);
  CHECK(log.deliveries(0).last_status_code() == 200);
  CHECK(log.deliveries(0).delivered_at().seconds() == (t0 + 31 * kSecond) / kSecond);
  f.now = t0 + 10 * 3600 * kSecond;
  CHECK(dispatcher.deliver_due() == 0);  // nothing more to send
}

TEST_CASE("webhooks: six failed attempts, then failed; the schedule is 30 s, 2 m, 10 m, 1 h, 6 h") {
  CHECK(botfactory::channel::webhook_retry_delay(1) == std::chrono::seconds(30));
  CHECK(botfactory::channel::webhook_retry_delay(5) == std::chrono::hours(6));
  CHECK_FALSE(botfactory::channel::webhook_retry_delay(6));
  WebhookFixture f;
  Receiver receiver({503});
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, receiver.url(), {"message.created"});
  REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", "{}"}}) == 1);
  auto dispatcher = f.dispatcher(true);
  for (int attempt = 1; attempt <= 6; ++attempt) {
    INFO(attempt);
    CHECK(dispatcher.deliver_due() == 1);
    f.now += 7 * 3600 * kSecond;  // past any delay
  }
  CHECK(dispatcher.deliver_due() == 0);
  CHECK(receiver.calls.load() == 6);
  chatv1::ListWebhookDeliveriesResponse log;
  REQUIRE(f.deliveries(tenant, endpoint.endpoint().id(), &log).ok());
  CHECK(log.deliveries(0).status() == "failed");
  CHECK(log.deliveries(0).attempts() == 6);
  CHECK(log.deliveries(0).last_error() == "HTTP 503");
}

TEST_CASE("webhooks: with WEBHOOK_ALLOW_PRIVATE off, a delivery to 127.0.0.1 is refused before "
          "any byte is sent") {
  WebhookFixture f;
  Receiver receiver({200});
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, receiver.url(), {"message.created"});
  REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", "{}"}}) == 1);
  auto dispatcher = f.dispatcher(false);
  CHECK(dispatcher.deliver_due() == 1);
  CHECK(receiver.server.connections() == 0);
  CHECK(receiver.calls.load() == 0);
  chatv1::ListWebhookDeliveriesResponse log;
  REQUIRE(f.deliveries(tenant, endpoint.endpoint().id(), &log).ok());
  CHECK(log.deliveries(0).status() == "pending");
  CHECK(log.deliveries(0).last_status_code() == 0);
  CHECK(log.deliveries(0).last_error().find("blocked") != std::string::npos);
}

TEST_CASE("webhooks: another tenant can neither see nor change an endpoint; list never shows the secret") {
  WebhookFixture f;
  const auto tenant = random_uuid();
  const auto intruder = random_uuid();
  auto endpoint = f.must_create(tenant, "http://127.0.0.1:9/x", {"message.created"});
  const auto& id = endpoint.endpoint().id();
  {
    grpc::ClientContext context;
    chatv1::ListWebhookEndpointsRequest request;
    request.set_tenant_id(intruder);
    chatv1::ListWebhookEndpointsResponse out;
    REQUIRE(f.stub->ListWebhookEndpoints(&context, request, &out).ok());
    CHECK(out.endpoints_size() == 0);
  }
  {
    grpc::ClientContext context;
    chatv1::ListWebhookEndpointsRequest request;
    request.set_tenant_id(tenant);
    chatv1::ListWebhookEndpointsResponse out;
    REQUIRE(f.stub->ListWebhookEndpoints(&context, request, &out).ok());
    REQUIRE(out.endpoints_size() == 1);
    CHECK(out.endpoints(0).DebugString().find(endpoint.secret()) == std::string::npos);
    CHECK(out.max() == 10);
  }
  chatv1::ListWebhookDeliveriesResponse log;
  CHECK(f.deliveries(intruder, id, &log).error_code() == grpc::StatusCode::NOT_FOUND);
  {
    grpc::ClientContext context;
    chatv1::UpdateWebhookEndpointRequest request;
    request.set_tenant_id(intruder);
    request.set_id(id);
    request.set_enabled(false);
    chatv1::WebhookEndpoint out;
    CHECK(f.stub->UpdateWebhookEndpoint(&context, request, &out).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  for (auto* tenant_id : {&intruder, &tenant}) {
    grpc::ClientContext context;
    chatv1::SendWebhookTestRequest request;
    request.set_tenant_id(*tenant_id);
    request.set_id(id);
    chatv1::SendWebhookTestResponse out;
    auto status = f.stub->SendWebhookTest(&context, request, &out);
    CHECK(status.error_code() ==
          (tenant_id == &intruder ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::OK));
  }
  {
    grpc::ClientContext context;
    chatv1::DeleteWebhookEndpointRequest request;
    request.set_tenant_id(intruder);
    request.set_id(id);
    chatv1::DeleteWebhookEndpointResponse out;
    CHECK(f.stub->DeleteWebhookEndpoint(&context, request, &out).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  CHECK(f.h.count("SELECT count(*) FROM chat.webhook_endpoints WHERE id = $1", {id}) == 1);
  CHECK(f.h.count("SELECT count(*) FROM chat.webhook_deliveries WHERE endpoint_id = $1 AND event = 'webhook.test'",
                  {id}) == 1);
  // An empty or malformed tenant is refused.
  grpc::ClientContext context;
  chatv1::ListWebhookEndpointsRequest request;
  chatv1::ListWebhookEndpointsResponse out;
  CHECK(f.stub->ListWebhookEndpoints(&context, request, &out).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("webhooks: WEBHOOK_ENDPOINTS_MAX per tenant and WEBHOOK_PENDING_MAX per endpoint (oldest dropped)") {
  WebhookFixture f(2);
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, "http://127.0.0.1:9/a", {"message.created"});
  f.must_create(tenant, "http://127.0.0.1:9/b", {"conversation.created"});
  auto third = f.create(tenant, "http://127.0.0.1:9/c", {"message.created"});
  CHECK(third.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(third.error_message().rfind("webhook_limit:", 0) == 0);
  CHECK(f.create(random_uuid(), "http://127.0.0.1:9/c", {"message.created"}).ok());  // per tenant
  CHECK(f.create(tenant, "http://127.0.0.1:9/c", {"nope"}).error_code() == grpc::StatusCode::INVALID_ARGUMENT);

  for (int i = 0; i < 5; ++i) {
    REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", "{\"n\":" + std::to_string(i) + "}"}}) == 1);
  }
  auto dispatcher = f.dispatcher(true, 3);
  // The real time: the retention pass of trim() must not take today's rows for old ones.
  f.now = std::chrono::duration_cast<std::chrono::microseconds>(
              std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(dispatcher.trim() == 2);
  CHECK(dispatcher.trim() == 0);
  auto conn = f.h.pool().acquire();
  auto r = conn->exec("SELECT payload, status, last_error FROM chat.webhook_deliveries WHERE endpoint_id = $1 "
                      "ORDER BY created_at, payload", {endpoint.endpoint().id()});
  REQUIRE(r.rows() == 5);
  CHECK(r.str(0, 1) == "failed");
  CHECK(r.str(1, 1) == "failed");
  CHECK(r.str(0, 2).rfind("dropped", 0) == 0);
  CHECK(r.str(2, 1) == "pending");
  CHECK(r.str(4, 1) == "pending");
}

TEST_CASE("webhooks: WEBHOOK_ENQUEUE_MAX bounds the events waiting for the row writer; the rest "
          "are dropped and counted, nothing blocks the caller") {
  WebhookFixture f;
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, "http://127.0.0.1:9/q", {"message.created"});
  botfactory::metrics::Registry registry;
  botfactory::channel::WebhookEnqueuer enqueuer(f.rows, registry, std::chrono::milliseconds(0), 100, {},
                                                /*max_queued=*/2);
  enqueuer.start();
  chatv1::Conversation conversation;
  conversation.set_id(random_uuid());
  conversation.set_tenant_id(tenant);
  conversation.set_channel("web");
  chatv1::Message message;
  message.set_conversation_id(conversation.id());
  message.mutable_sender()->set_kind(commonv1::SENDER_KIND_VISITOR);
  const std::vector<botfactory::channel::CommittedMessage> one{{&conversation, &message}};

  // A lock on the deliveries table stalls the writer's INSERT (a stuck database).
  botfactory::pg::Connection locker(f.h.conninfo());
  locker.exec("BEGIN");
  locker.exec("LOCK TABLE chat.webhook_deliveries IN ACCESS EXCLUSIVE MODE");
  enqueuer.messages_committed(one);  // taken by the writer, which then waits for the lock
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    waiting = f.h.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'") > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(waiting);
  for (int i = 0; i < 5; ++i) enqueuer.messages_committed(one);  // 2 wait, 3 dropped
  CHECK(registry.counter("webhook_enqueue_dropped_total", "").value() == 3);
  locker.exec("COMMIT");
  enqueuer.stop();  // writes what waits
  CHECK(f.h.count("SELECT count(*) FROM chat.webhook_deliveries WHERE endpoint_id = $1",
                  {endpoint.endpoint().id()}) == 3);
  CHECK(registry.counter("webhook_deliveries_enqueued_total", "").value() == 3);
}

TEST_CASE("webhooks: a channel conversation (Telegram …) announces conversation.created once, with "
          "its first message") {
  WebhookFixture f;
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, "http://127.0.0.1:9/c", {"conversation.created", "message.created"});
  auto bot = f.h.registry.add_bot(tenant, "Helper", "en", "");
  // As the channel inbox's conversations are: no greeting, channel "telegram".
  grpc::ClientContext context;
  chatv1::CreateConversationRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot.id());
  request.set_channel("telegram");
  chatv1::Conversation conversation;
  REQUIRE(f.h.client().CreateConversation(&context, request, &conversation).ok());
  auto post = [&](const std::string& client_id, const std::string& text) {
    grpc::ClientContext post_context;
    chatv1::PostMessageRequest post_request;
    post_request.set_tenant_id(tenant);
    post_request.set_conversation_id(conversation.id());
    post_request.set_client_id(client_id);
    post_request.mutable_sender()->set_kind(commonv1::SENDER_KIND_VISITOR);
    post_request.mutable_sender()->set_id("telegram:42");
    post_request.set_text(text);
    chatv1::PostMessageResponse posted;
    REQUIRE(f.h.client().PostMessage(&post_context, post_request, &posted).ok());
    return posted.message().seq();
  };
  REQUIRE(post("t1", "hello") == 1);
  post("t2", "again");
  // The writer keeps queue order: once the second message's row is there, every
  // conversation.created of either path (CreateConversation's, seq 1's) is too.
  CHECK(f.wait_rows(endpoint.endpoint().id(), 1, " AND payload LIKE '%\"text\":\"again\"%'") == 1);
  auto conn = f.h.pool().acquire();
  auto r = conn->exec("SELECT payload FROM chat.webhook_deliveries WHERE endpoint_id = $1 "
                      "AND event = 'conversation.created'", {endpoint.endpoint().id()});
  REQUIRE(r.rows() == 1);
  auto data = boost::json::parse(r.str(0, 0)).as_object().at("data").as_object();
  CHECK(data.at("conversation_id").as_string() == conversation.id());
  CHECK(data.at("channel").as_string() == "telegram");
}

TEST_CASE("webhooks: the signing secret is sealed at rest; the raw row holds no plaintext and "
          "deliveries still verify, also after a rotation") {
  WebhookFixture f;
  Receiver receiver({200, 200});
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, receiver.url(), {"message.created"});
  const auto& id = endpoint.endpoint().id();
  auto raw_row = [&] {
    auto connection = f.h.pool().acquire();
    auto r = connection->exec("SELECT row_to_json(e)::text, length(secret_nonce), "
                              "encode(secret_ciphertext, 'escape') FROM chat.webhook_endpoints e WHERE id = $1",
                              {id});
    REQUIRE(r.rows() == 1);
    CHECK(r.int64(0, 1) == 24);
    return r.str(0, 0) + "\n" + r.str(0, 2);
  };
  auto row = raw_row();
  CHECK(row.find(endpoint.secret()) == std::string::npos);
  CHECK(row.find(endpoint.secret().substr(6)) == std::string::npos);  // not even without "whsec_"
  CHECK(row.find("whsec_") == std::string::npos);

  REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", R"({"n":1})"}}) == 1);
  auto dispatcher = f.dispatcher(true);
  CHECK(dispatcher.deliver_due() == 1);
  REQUIRE(receiver.server.requests().size() == 1);
  check_signature(receiver.server.requests()[0], endpoint.secret(), f.now.load() / kSecond);

  // Rotation seals the new secret too; deliveries are signed with it.
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::RotateWebhookSecretRequest request;
  request.set_tenant_id(tenant);
  request.set_id(id);
  chatv1::RotateWebhookSecretResponse rotated;
  REQUIRE(f.stub->RotateWebhookSecret(&context, request, &rotated).ok());
  REQUIRE(rotated.secret() != endpoint.secret());
  row = raw_row();
  CHECK(row.find(rotated.secret()) == std::string::npos);
  CHECK(row.find("whsec_") == std::string::npos);
  REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", R"({"n":2})"}}) == 1);
  CHECK(dispatcher.deliver_due() == 1);
  REQUIRE(receiver.server.requests().size() == 2);
  check_signature(receiver.server.requests()[1], rotated.secret(), f.now.load() / kSecond);
}

TEST_CASE("webhooks: a secret that does not open under the current WEBHOOK_SECRETS_KEY fails the "
          "delivery with a clear error, sends nothing, and the next endpoint is still served") {
  WebhookFixture f;
  Receiver receiver({200});
  const auto tenant = random_uuid();
  auto endpoint = f.must_create(tenant, receiver.url(), {"message.created"});
  REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", "{}"}}) == 1);
  auto wrong_key = f.dispatcher(true, 10000, WebhookFixture::random_box());
  CHECK(wrong_key.deliver_due() == 1);
  CHECK(receiver.server.connections() == 0);
  chatv1::ListWebhookDeliveriesResponse log;
  REQUIRE(f.deliveries(tenant, endpoint.endpoint().id(), &log).ok());
  REQUIRE(log.deliveries_size() == 1);
  CHECK(log.deliveries(0).status() == "failed");
  CHECK(log.deliveries(0).last_status_code() == 0);
  CHECK(log.deliveries(0).last_error() ==
        "the signing secret cannot be decrypted with the current WEBHOOK_SECRETS_KEY; rotate the "
        "endpoint's secret");
  CHECK(wrong_key.deliver_due() == 0);  // failed for good, not retried

  // Rotating under the current key makes the endpoint deliverable again.
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::RotateWebhookSecretRequest request;
  request.set_tenant_id(tenant);
  request.set_id(endpoint.endpoint().id());
  chatv1::RotateWebhookSecretResponse rotated;
  REQUIRE(f.stub->RotateWebhookSecret(&context, request, &rotated).ok());
  REQUIRE(f.rows.enqueue({WebhookEventRow{tenant, "message.created", "{}"}}) == 1);
  auto right_key = f.dispatcher(true);
  CHECK(right_key.deliver_due() == 1);
  REQUIRE(receiver.server.requests().size() == 1);
  check_signature(receiver.server.requests()[0], rotated.secret(), f.now.load() / kSecond);
}
