// The model path of Generate over real gRPC (ai-proxy on 127.0.0.1:0, callback API): the bot's
// configuration from an in-test BotRegistryService (GetBotModelConfig + SearchKnowledge), the
// fake OpenAI / Gemini servers (fake_model_servers.hpp), and what happens when they fail:
// retries before the first token, fallback to extractive with its reason, the error codes of
// the contract without fallback, the circuit breaker, the out-of-knowledge gate, cancellation.

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "botfactory/metrics/registry.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat_model_provider.hpp"
#include "extractive_provider.hpp"
#include "fake_model_servers.hpp"
#include "gemini_wire.hpp"
#include "openai_wire.hpp"
#include "proxy_harness.hpp"

using namespace botfactory;
using namespace std::chrono_literals;

namespace {

const std::string kTenant = "11111111-1111-4111-8111-111111111111";
const std::string kBot = "22222222-2222-4222-8222-222222222222";
const std::string kOpenAiKey = "sk-test-0123456789";
const std::string kGeminiKey = "AIza-test-0123456789";

/// One bot whose model configuration the test sets; knowledge: one refund chunk for questions
/// about refunds, nothing otherwise.
class ConfigRegistry final : public registry::v1::BotRegistryService::Service {
 public:
  void set(const std::string& provider, const std::string& model, const std::string& key, bool fallback = true,
           const std::string& base_url = "") {
    std::lock_guard lock(mutex_);
    config_.Clear();
    config_.set_bot_id(kBot);
    config_.mutable_provider()->set_provider(provider);
    config_.mutable_provider()->set_model(model);
    config_.mutable_provider()->set_fallback_to_extractive(fallback);
    config_.set_effective_answerer(key.empty() && provider != "extractive" ? "extractive" : provider);
    config_.set_api_key(key);
    config_.set_base_url(base_url);
  }
  int config_calls() const { return config_calls_.load(); }

  grpc::Status GetBotModelConfig(grpc::ServerContext*, const registry::v1::GetBotModelConfigRequest* request,
                                 registry::v1::BotModelConfig* response) override {
    ++config_calls_;
    if (request->tenant_id() != kTenant || request->bot_id() != kBot) return grpc::Status(grpc::StatusCode::NOT_FOUND, "bot not found");
    std::lock_guard lock(mutex_);
    *response = config_;
    return grpc::Status::OK;
  }
  grpc::Status SearchKnowledge(grpc::ServerContext*, const registry::v1::SearchKnowledgeRequest* request,
                               registry::v1::SearchKnowledgeResponse* response) override {
    if (request->tenant_id() != kTenant || request->bot_id() != kBot) return grpc::Status(grpc::StatusCode::NOT_FOUND, "bot not found");
    if (request->query().find("refund") == std::string::npos) return grpc::Status::OK;
    auto* chunk = response->add_chunks();
    chunk->set_chunk_id("chunk-1");
    chunk->set_document_id("doc-1");
    chunk->set_document_title("Refund policy");
    chunk->set_text("Refunds are paid within 14 days of the return. Shipping costs are not refunded.");
    chunk->set_score(4.5);
    return grpc::Status::OK;
  }

 private:
  std::mutex mutex_;
  registry::v1::BotModelConfig config_;
  std::atomic<int> config_calls_{0};
};

const std::string kRefundQuestion = "When do I get my refund?";

ai::v1::GenerateRequest request_for(const std::string& text) {
  ai::v1::GenerateRequest request;
  request.set_tenant_id(kTenant);
  request.set_bot_id(kBot);
  request.set_conversation_id("conv-1");
  request.set_language("en");
  request.set_user_text(text);
  request.mutable_provider()->set_provider("openai");  // as channel-connector sends the bot's
  return request;
}

/// ai-proxy with the registry's model config, the fake servers and fast-failing settings.
struct Setup {
  ConfigRegistry registry;
  rpc::Server registry_server{"127.0.0.1:0", {&registry}};
  ai::test::FakeOpenAi openai;
  ai::test::FakeGemini gemini;
  std::shared_ptr<http::Client> client = std::make_shared<http::Client>();
  std::shared_ptr<ai::ProviderBreakers> breakers;
  ai::test::ProxyHarness proxy;

  /// `tenant_private_addresses`: LLM_TENANT_PRIVATE_ADDRESSES (on by default here: the tenant
  /// fakes run on 127.0.0.1). `delta_flush`: AI_DELTA_FLUSH_MS.
  explicit Setup(int breaker_failures = 100, bool gemini_stream = true, bool tenant_private_addresses = true,
                 std::chrono::milliseconds delta_flush = 0ms)
      : proxy("127.0.0.1:" + std::to_string(registry_server.port()), true, 2, 64, delta_flush) {
    breakers = std::make_shared<ai::ProviderBreakers>(common::CircuitBreaker::Options{breaker_failures, 60000ms});
    ai::ChatModelSettings settings;
    settings.first_token_timeout = 800ms;
    settings.total_timeout = 4000ms;
    settings.retry.base_delay = 10ms;
    settings.retry.max_delay = 20ms;
    settings.tenant_private_addresses = tenant_private_addresses;
    auto o = settings;
    o.default_model = "gpt-4o-mini";
    proxy.providers->add(std::make_shared<ai::ChatModelProvider>(std::make_shared<ai::OpenAiWire>(openai.base_url()),
                                                                 client, proxy.search, o, breakers));
    auto g = settings;
    g.default_model = "gemini-2.0-flash";
    g.stream = gemini_stream;
    proxy.providers->add(std::make_shared<ai::ChatModelProvider>(std::make_shared<ai::GeminiWire>(gemini.base_url()),
                                                                 client, proxy.search, g, breakers));
  }
};

}  // namespace

TEST_CASE("model path: the registry's key and model, coalesced deltas, a final with sources, model, usage") {
  Setup s;
  s.registry.set("openai", "gpt-test", kOpenAiKey);
  auto result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  REQUIRE(result.finals.size() == 1);
  const auto& reply = result.final_reply();
  CHECK(reply.provider() == "openai");
  CHECK(reply.model() == "gpt-test");
  CHECK(reply.text() == s.openai.reply);
  CHECK(reply.fallback_reason().empty());
  CHECK(reply.answered());
  CHECK(reply.usage().prompt_tokens() == 12);
  CHECK(reply.usage().completion_tokens() == 5);
  REQUIRE(reply.sources_size() == 1);
  CHECK(reply.sources(0).document_title() == "Refund policy");
  CHECK(result.joined_deltas() == reply.text());
  CHECK_FALSE(result.deltas.empty());
  // The key and model went to the fake as the registry said.
  auto requests = s.openai.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].headers.at("authorization") == "Bearer " + kOpenAiKey);
  CHECK(requests[0].body.find("\"model\":\"gpt-test\"") != std::string::npos);

  // A tenant's base URL reaches its own server (here: the Gemini fake's port is not OpenAI's).
  ai::test::FakeOpenAi own("sk-own-server-key-0000");
  own.reply = "From the tenant's own server [1].";
  s.registry.set("openai", "", "sk-own-server-key-0000", true, own.base_url());
  result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().text() == own.reply);
  CHECK(result.final_reply().model() == "gpt-4o-mini");
  CHECK(own.requests().size() == 1);
}

TEST_CASE("model path: time-window coalescing sends the first text at once and the rest before the final") {
  SECTION("a window longer than the reply: exactly two deltas") {
    Setup s(100, true, true, std::chrono::hours(1));  // the flush alarm never fires in the test
    s.registry.set("openai", "gpt-test", kOpenAiKey);
    s.openai.piece = 0;  // one HTTP chunk per SSE event
    s.openai.pause = 2ms;
    auto result = s.proxy.generate(request_for(kRefundQuestion));
    REQUIRE(result.status.ok());
    REQUIRE(result.finals.size() == 1);
    CHECK(result.final_was_last);
    REQUIRE(result.deltas.size() == 2);
    CHECK(result.deltas[0] == "Refunds");
    CHECK(result.joined_deltas() == s.openai.reply);
  }
  SECTION("a short window: the alarm flushes held text; nothing lost or reordered") {
    Setup s(100, true, true, 1ms);
    s.registry.set("openai", "gpt-test", kOpenAiKey);
    s.openai.piece = 0;
    s.openai.pause = 3ms;
    for (int i = 0; i < 3; ++i) {
      auto result = s.proxy.generate(request_for(kRefundQuestion));
      REQUIRE(result.status.ok());
      CHECK(result.final_was_last);
      CHECK_FALSE(result.deltas.empty());
      CHECK(result.joined_deltas() == s.openai.reply);
    }
  }
  SECTION("a caller that goes away while text is held: the call ends, the alarm is cancelled") {
    Setup s(100, true, true, std::chrono::hours(1));
    s.registry.set("openai", "gpt-test", kOpenAiKey);
    s.openai.piece = 0;
    s.openai.pause = 100ms;
    grpc::ClientContext context;
    rpc::set_deadline(context, 5000ms);
    auto reader = s.proxy.stub->Generate(&context, request_for(kRefundQuestion));
    ai::v1::GenerateResponse event;
    REQUIRE(reader->Read(&event));
    CHECK(event.delta() == "Refunds");
    context.TryCancel();
    while (reader->Read(&event)) {
    }
    CHECK(reader->Finish().error_code() == grpc::StatusCode::CANCELLED);
    // The outbound request ends too (and releases the call before the harness goes away).
    for (int i = 0; i < 200 && s.client->in_flight() > 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(s.client->in_flight() == 0);
  }
}

TEST_CASE("model path: no key → extractive with no_key; tokens exhausted → extractive without the registry") {
  Setup s;
  s.registry.set("openai", "", "");
  auto result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().provider() == "extractive");
  CHECK(result.final_reply().fallback_reason() == "no_key");
  CHECK(result.final_reply().answered());
  CHECK(result.joined_deltas() == result.final_reply().text());

  s.registry.set("openai", "", kOpenAiKey);
  auto calls = s.registry.config_calls();
  auto request = request_for(kRefundQuestion);
  request.set_tokens_exhausted(true);
  result = s.proxy.generate(request);
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().provider() == "extractive");
  CHECK(result.final_reply().fallback_reason() == "token_allowance_exhausted");
  CHECK(s.registry.config_calls() == calls);
  CHECK(s.openai.requests().empty());
}

TEST_CASE("model path: out of knowledge → the bot-language 'I don't know' without calling the model") {
  Setup s;
  s.registry.set("openai", "", kOpenAiKey);
  auto request = request_for("What is the capital of Australia?");
  request.set_language("ru");
  request.set_user_text("Какая столица Австралии?");
  auto result = s.proxy.generate(request);
  REQUIRE(result.status.ok());
  CHECK_FALSE(result.final_reply().answered());
  CHECK(result.final_reply().text() == ai::ExtractiveProvider::dont_know_text("ru"));
  CHECK(result.final_reply().provider() == "openai");
  CHECK(result.final_reply().sources_size() == 0);
  CHECK(s.openai.requests().empty());
  // Small talk goes to the model even without knowledge.
  result = s.proxy.generate(request_for("hello"));
  REQUIRE(result.status.ok());
  CHECK(s.openai.requests().size() == 1);
}

TEST_CASE("model path: 500 then success is retried before the first token; a cut stream is not") {
  Setup s;
  s.registry.set("openai", "flaky", kOpenAiKey, false);
  auto result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().text() == s.openai.reply);
  CHECK(s.openai.requests().size() == 2);

  s.registry.set("gemini", "flaky", kGeminiKey, false);
  result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().text() == s.gemini.reply);
  CHECK(s.gemini.requests().size() == 2);

  // Cut after two deltas: no retry, no fallback (text went out) → UNAVAILABLE, fallback on or off.
  for (bool fallback : {false, true}) {
    auto before = s.openai.requests().size();
    s.registry.set("openai", "cut", kOpenAiKey, fallback);
    result = s.proxy.generate(request_for(kRefundQuestion));
    CHECK(result.status.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(result.status.error_message() == "the model's reply was cut off");
    CHECK(result.finals.empty());
    CHECK(result.joined_deltas() == "Refunds are");
    CHECK(s.openai.requests().size() == before + 1);
  }
}

TEST_CASE("model path without fallback: the contract's error codes") {
  Setup s;
  s.registry.set("openai", "busy", kOpenAiKey, false);  // 429 without Retry-After: not retried
  auto result = s.proxy.generate(request_for(kRefundQuestion));
  CHECK(result.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(rpc::retry_after_seconds(result.status) == 30);
  CHECK(s.openai.requests().size() == 1);

  s.registry.set("openai", "rate-limited", kOpenAiKey, false);  // Retry-After 7 s > the 4 s budget
  result = s.proxy.generate(request_for(kRefundQuestion));
  CHECK(result.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(rpc::retry_after_seconds(result.status) == 7);
  CHECK(s.openai.requests().size() == 2);

  s.registry.set("openai", "", "sk-wrong-secret-key", false);
  result = s.proxy.generate(request_for(kRefundQuestion));
  CHECK(result.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(result.status.error_message().find("sk-wrong") == std::string::npos);

  s.registry.set("gemini", "slow", kGeminiKey, false);  // first token after 1.5 s > 0.8 s, each try
  result = s.proxy.generate(request_for(kRefundQuestion));
  CHECK(result.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  CHECK(result.finals.empty());
}

TEST_CASE("model path with fallback: extractive answers and says why") {
  Setup s;
  struct Case {
    std::string provider, model, key, reason;
  };
  for (const auto& c : std::vector<Case>{{"openai", "busy", kOpenAiKey, "provider_rate_limited"},
                                         {"openai", "broken", kOpenAiKey, "provider_unavailable"},
                                         {"openai", "missing", kOpenAiKey, "provider_refused"},
                                         {"gemini", "", "wrong-secret-key", "provider_refused"},
                                         {"gemini", "slow", kGeminiKey, "provider_unavailable"}}) {
    INFO(c.provider << " " << c.model);
    s.registry.set(c.provider, c.model, c.key, true);
    auto result = s.proxy.generate(request_for(kRefundQuestion));
    REQUIRE(result.status.ok());
    CHECK(result.final_reply().provider() == "extractive");
    CHECK(result.final_reply().fallback_reason() == c.reason);
    CHECK(result.final_reply().answered());
    CHECK(result.joined_deltas() == result.final_reply().text());
  }
  // A safety block is the model's answer, not a failure.
  s.registry.set("gemini", "blocked", kGeminiKey, true);
  auto result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().provider() == "gemini");
  CHECK(result.final_reply().text() == ai::ChatModelProvider::blocked_text("en"));
  CHECK(result.final_reply().fallback_reason().empty());
}

TEST_CASE("model path: the circuit breaker opens per provider and key, then answers circuit_open at once") {
  Setup s(2);  // two consecutive failures open it
  s.registry.set("openai", "broken", kOpenAiKey, true);
  auto result = s.proxy.generate(request_for(kRefundQuestion));  // 3 tries (2 retries): opens
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().fallback_reason() == "provider_unavailable");
  auto sent = s.openai.requests().size();
  CHECK(sent == 2);  // the breaker opened after the second failure: no third try
  result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().fallback_reason() == "circuit_open");
  CHECK(s.openai.requests().size() == sent);  // not called
  // Another key of the same provider has its own breaker.
  ai::test::FakeOpenAi other("sk-other-key-000000");
  s.registry.set("openai", "", "sk-other-key-000000", true, other.base_url());
  result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().provider() == "openai");
  // Without fallback an open circuit is UNAVAILABLE.
  s.registry.set("openai", "broken", kOpenAiKey, false);
  result = s.proxy.generate(request_for(kRefundQuestion));
  CHECK(result.status.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(result.status.error_message() == "the model provider is failing; circuit open");
}

TEST_CASE("model path: a tenant base URL on a private address is refused before connecting (SSRF)") {
  Setup s(2, true, false);  // LLM_TENANT_PRIVATE_ADDRESSES off; a breaker that opens after 2 failures
  ai::test::FakeOpenAi internal("sk-tenant-key-000000");  // stands for an internal service
  const auto port = internal.base_url().substr(internal.base_url().rfind(':') + 1);
  for (const std::string& base : {internal.base_url(), "http://[::ffff:127.0.0.1]:" + port, "http://localhost:" + port}) {
    INFO(base);
    s.registry.set("openai", "", "sk-tenant-key-000000", true, base);
    auto result = s.proxy.generate(request_for(kRefundQuestion));
    REQUIRE(result.status.ok());
    CHECK(result.final_reply().provider() == "extractive");
    CHECK(result.final_reply().fallback_reason() == "provider_refused");
  }
  CHECK(internal.connections() == 0);  // not even a TCP handshake
  CHECK(internal.requests().empty());

  // Not counted as a provider failure (no retry, the breaker stays closed), and without
  // fallback the tenant learns why.
  s.registry.set("openai", "", "sk-tenant-key-000000", false, internal.base_url());
  auto refused = s.proxy.generate(request_for(kRefundQuestion));
  CHECK(refused.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(refused.status.error_message() == "the provider base URL resolves to a private address");

  // The operator's base URL (the platform fake, also on 127.0.0.1) still answers; a tenant URL
  // naming the same server does not ride the connection it left open.
  s.registry.set("openai", "", kOpenAiKey);
  auto platform = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(platform.status.ok());
  CHECK(platform.final_reply().text() == s.openai.reply);
  auto sent = s.openai.requests().size();
  s.registry.set("openai", "", kOpenAiKey, true, s.openai.base_url());
  auto reuse = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(reuse.status.ok());
  CHECK(reuse.final_reply().fallback_reason() == "provider_refused");
  CHECK(s.openai.requests().size() == sent);
  CHECK(internal.connections() == 0);
}

TEST_CASE("model path: Gemini generateContent (non-streaming) gives the whole reply") {
  Setup s(100, false);
  s.registry.set("gemini", "", kGeminiKey);
  auto result = s.proxy.generate(request_for(kRefundQuestion));
  REQUIRE(result.status.ok());
  CHECK(result.final_reply().provider() == "gemini");
  CHECK(result.final_reply().text() == s.gemini.reply);
  CHECK(result.final_reply().usage().completion_tokens() == 5);
  CHECK(result.deltas.size() == 1);
  REQUIRE(s.gemini.requests().size() == 1);
  CHECK(s.gemini.requests()[0].target == "/v1beta/models/gemini-2.0-flash:generateContent");
}

TEST_CASE("model path: a caller that goes away cancels the outbound request at once") {
  Setup s;
  s.registry.set("openai", "hang", kOpenAiKey, true);  // one delta, then 5 s of silence
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  auto reader = s.proxy.stub->Generate(&context, request_for(kRefundQuestion));
  ai::v1::GenerateResponse event;
  REQUIRE(reader->Read(&event));
  CHECK(event.delta() == "Refunds");
  CHECK(s.client->in_flight() == 1);
  context.TryCancel();
  while (reader->Read(&event)) {
  }
  CHECK(reader->Finish().error_code() == grpc::StatusCode::CANCELLED);
  for (int i = 0; i < 200 && s.client->in_flight() > 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(s.client->in_flight() == 0);  // well before the fake's 5 s
}

TEST_CASE("model path: a cancelled Generate closes the provider's HTTP stream mid-stream") {
  Setup s;
  s.registry.set("openai", "endless", kOpenAiKey, true);  // an event every 50 ms for 60 s
  auto cancelled_before = botfactory::metrics::Registry::global()
                              .counter("botfactory_ai_generate_cancelled_total", "")
                              .value();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 20s);
  auto reader = s.proxy.stub->Generate(&context, request_for(kRefundQuestion));
  ai::v1::GenerateResponse event;
  REQUIRE(reader->Read(&event));
  CHECK(event.delta() == "Refunds");
  REQUIRE(reader->Read(&event));  // the stream is flowing
  CHECK(s.openai.disconnects() == 0);
  context.TryCancel();  // what channel-connector does when the visitor is gone
  while (reader->Read(&event)) {
  }
  CHECK(reader->Finish().error_code() == grpc::StatusCode::CANCELLED);
  // The fake sees the connection close (a write fails) long before its 60 s stream ends.
  for (int i = 0; i < 500 && s.openai.disconnects() == 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(s.openai.disconnects() == 1);
  CHECK(s.openai.endless_events() < 1200);
  CHECK(s.client->in_flight() == 0);  // the easy handle left the multi, its buffers freed
  CHECK(botfactory::metrics::Registry::global()
            .counter("botfactory_ai_generate_cancelled_total", "")
            .value() == cancelled_before + 1);
}

namespace {

/// GetBotModelConfig blocks until release(): keeps ai-proxy's only worker busy.
class BlockingRegistry final : public registry::v1::BotRegistryService::Service {
 public:
  grpc::Status GetBotModelConfig(grpc::ServerContext*, const registry::v1::GetBotModelConfigRequest*,
                                 registry::v1::BotModelConfig* response) override {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_; });
    response->mutable_provider()->set_provider("extractive");
    response->set_effective_answerer("extractive");
    return grpc::Status::OK;
  }
  grpc::Status SearchKnowledge(grpc::ServerContext*, const registry::v1::SearchKnowledgeRequest*,
                               registry::v1::SearchKnowledgeResponse*) override {
    return grpc::Status::OK;
  }
  void wait_entered(int n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return entered_ >= n; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool released_ = false;
};

}  // namespace

TEST_CASE("Generate: over the worker bound the call is refused with a retry hint, never queued without bound") {
  BlockingRegistry registry;
  rpc::Server registry_server("127.0.0.1:0", {&registry});
  ai::test::ProxyHarness proxy("127.0.0.1:" + std::to_string(registry_server.port()), true, 1, 1);
  ai::test::GenerateResult first, second;
  std::thread a([&] { first = proxy.generate(request_for(kRefundQuestion)); });
  registry.wait_entered(1);  // the only worker is busy
  std::thread b([&] { second = proxy.generate(request_for(kRefundQuestion)); });
  for (int i = 0; i < 500 && proxy.workers->waiting() < 1; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(proxy.workers->waiting() == 1);  // the queue (1) is full
  auto refused = proxy.generate(request_for(kRefundQuestion));
  CHECK(refused.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(rpc::retry_after_seconds(refused.status) == 1);
  registry.release();
  a.join();
  b.join();
  CHECK(first.status.ok());
  CHECK(second.status.ok());
}
