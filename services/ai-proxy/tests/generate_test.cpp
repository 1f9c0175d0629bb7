// The gRPC streaming Generate over real servers on 127.0.0.1:0: ai-proxy, an in-test
// BotRegistryService that answers SearchKnowledge from a fixed list (no database), and the fake
// OpenAI server (fake_model_servers.hpp).

#include <catch2/catch.hpp>

#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat_model_provider.hpp"
#include "fake_model_servers.hpp"
#include "openai_wire.hpp"
#include "botfactory/rpc/server.hpp"
#include "proxy_harness.hpp"

using namespace botfactory;

namespace {

const std::string kTenant = "11111111-1111-4111-8111-111111111111";
const std::string kBot = "22222222-2222-4222-8222-222222222222";

/// Knows one bot of one tenant; everything else is NOT_FOUND "bot not found".
class FakeRegistry final : public registry::v1::BotRegistryService::Service {
 public:
  grpc::Status SearchKnowledge(grpc::ServerContext*, const registry::v1::SearchKnowledgeRequest* request,
                               registry::v1::SearchKnowledgeResponse* response) override {
    if (request->tenant_id() != kTenant || request->bot_id() != kBot) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "bot not found");
    }
    if (request->query().find("refund") == std::string::npos) return grpc::Status::OK;
    auto* chunk = response->add_chunks();
    chunk->set_chunk_id("chunk-1");
    chunk->set_document_id("doc-1");
    chunk->set_document_title("Refund policy");
    chunk->set_text("Refunds are paid within 14 days of the return. Shipping costs are not refunded.");
    chunk->set_score(4.5);
    return grpc::Status::OK;
  }
};

using Proxy = ai::test::ProxyHarness;

ai::v1::GenerateRequest request_for(const std::string& text, const std::string& bot = kBot) {
  ai::v1::GenerateRequest request;
  request.set_tenant_id(kTenant);
  request.set_bot_id(bot);
  request.set_conversation_id("conv-1");
  request.set_language("en");
  request.set_user_text(text);
  auto* turn = request.add_history();
  turn->set_sender(common::v1::SENDER_KIND_BOT);
  turn->set_text("Hello! How can I help?");
  return request;
}

}  // namespace

TEST_CASE("Generate streams deltas, then one final whose text they make up") {
  FakeRegistry registry;
  rpc::Server registry_server("127.0.0.1:0", {&registry});
  Proxy proxy("127.0.0.1:" + std::to_string(registry_server.port()));

  auto result = proxy.generate(request_for("When do I get my refund?"));
  REQUIRE(result.status.ok());
  REQUIRE(result.finals.size() == 1);
  CHECK(result.final_was_last);
  const auto& reply = result.finals[0];
  CHECK(reply.answered());
  CHECK(reply.provider() == "extractive");
  CHECK(reply.text() == "Refunds are paid within 14 days of the return. Shipping costs are not refunded."
                        "\n\nSource: “Refund policy”");
  REQUIRE(reply.sources_size() == 1);
  CHECK(reply.sources(0).chunk_id() == "chunk-1");
  CHECK(result.deltas.size() > 1);
  CHECK(result.joined_deltas() == reply.text());

  // A provider that is not configured here answers through extractive.
  auto request = request_for("refund please");
  request.mutable_provider()->set_provider("gemini");
  result = proxy.generate(request);
  REQUIRE(result.status.ok());
  CHECK(result.finals.at(0).provider() == "extractive");

  result = proxy.generate(request_for("Do you sell gift cards?"));
  REQUIRE(result.status.ok());
  CHECK_FALSE(result.finals.at(0).answered());
  CHECK(result.finals.at(0).sources_size() == 0);
}

TEST_CASE("Generate passes NOT_FOUND through and rejects an oversized question") {
  FakeRegistry registry;
  rpc::Server registry_server("127.0.0.1:0", {&registry});
  Proxy proxy("127.0.0.1:" + std::to_string(registry_server.port()));
  auto result = proxy.generate(request_for("refund", "33333333-3333-4333-8333-333333333333"));
  CHECK(result.status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(result.status.error_message() == "bot not found");
  CHECK(result.finals.empty());
  CHECK(result.deltas.empty());

  result = proxy.generate(request_for(std::string(4001, 'x')));
  CHECK(result.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("Generate is UNAVAILABLE when the registry cannot be reached") {
  int dead_port;
  {
    FakeRegistry registry;
    rpc::Server temporary("127.0.0.1:0", {&registry});
    dead_port = temporary.port();
  }
  Proxy proxy("127.0.0.1:" + std::to_string(dead_port));
  auto result = proxy.generate(request_for("refund"));
  CHECK(result.status.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(result.finals.empty());
}

TEST_CASE("Generate streams an openai reply from the fake server over gRPC; 429 is RESOURCE_EXHAUSTED") {
  FakeRegistry registry;
  rpc::Server registry_server("127.0.0.1:0", {&registry});
  Proxy proxy("127.0.0.1:" + std::to_string(registry_server.port()));
  ai::test::FakeOpenAi openai;
  ai::ChatModelSettings settings;
  settings.default_model = "gpt-4o-mini";
  settings.api_key = "sk-test-0123456789";
  // Added before any call is in flight, as main() does at start-up.
  proxy.providers->add(std::make_shared<ai::ChatModelProvider>(
      std::make_shared<ai::OpenAiWire>(openai.base_url()), std::make_shared<http::Client>(),
      std::make_shared<ai::GrpcKnowledgeSearch>(
          rpc::make_channel("127.0.0.1:" + std::to_string(registry_server.port())), Proxy::kTimeout),
      settings));

  auto request = request_for("When do I get my refund?");
  request.mutable_provider()->set_provider("openai");
  auto result = proxy.generate(request);
  REQUIRE(result.status.ok());
  REQUIRE(result.finals.size() == 1);
  const auto& reply = result.finals[0];
  CHECK(reply.provider() == "openai");
  CHECK(reply.text() == openai.reply);
  CHECK(result.joined_deltas() == reply.text());
  CHECK_FALSE(result.deltas.empty());  // coalesced: text that came during a write goes out as one
  REQUIRE(reply.sources_size() == 1);
  CHECK(reply.sources(0).document_title() == "Refund policy");

  request.mutable_provider()->set_model("rate-limited");
  result = proxy.generate(request);
  CHECK(result.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(result.status.error_message() == "the model provider is rate limiting; retry after 7 s");
  CHECK(rpc::retry_after_seconds(result.status) == 7);
  CHECK(rpc::is_rate_limited(result.status));
}
