// The bot's model status (GetBotModelStatus, chat.bot_model_status): recorded by the real
// pipeline after each reply, read through gRPC, tenant-scoped. Real PostgreSQL and Redis; the
// in-test ai-proxy answers with the fallback_reason the test sets.

#include <catch2/catch.hpp>

#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

/// Posts a visitor message and waits for the bot's answer (`count` messages in all).
void ask(Harness& h, const std::string& conversation_id, const std::string& client_id,
         std::size_t count) {
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation_id, client_id, commonv1::SENDER_KIND_VISITOR, "Hours?", &posted).ok());
  REQUIRE(wait_until([&] { return h.messages(conversation_id).size() >= count; }));
}

grpc::Status status_of(Harness& h, const std::string& tenant_id, const std::string& bot_id,
                       chatv1::BotModelStatus* status) {
  grpc::ClientContext context;
  chatv1::GetBotModelStatusRequest request;
  request.set_tenant_id(tenant_id);
  request.set_bot_id(bot_id);
  return h.client().GetBotModelStatus(&context, request, status);
}

}  // namespace

TEST_CASE("the bot's model status: degraded after a fallback, ok after a model reply, tenant-scoped") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());

  chatv1::BotModelStatus status;
  REQUIRE(status_of(h, tenant, bot.id(), &status).ok());  // no reply yet
  CHECK_FALSE(status.degraded());
  CHECK(status.last_fallback_reason().empty());
  CHECK_FALSE(status.has_last_fallback_at());

  h.ai.fallback_reason = "provider_rate_limited";
  ask(h, conversation.id(), "v-1", 2);
  REQUIRE(status_of(h, tenant, bot.id(), &status).ok());
  CHECK(status.bot_id() == bot.id());
  CHECK(status.degraded());
  CHECK(status.last_fallback_reason() == "provider_rate_limited");
  CHECK(status.has_last_fallback_at());
  CHECK_FALSE(status.has_last_model_reply_at());

  h.ai.fallback_reason = "";
  ask(h, conversation.id(), "v-2", 4);
  REQUIRE(status_of(h, tenant, bot.id(), &status).ok());
  CHECK_FALSE(status.degraded());
  CHECK(status.last_fallback_reason() == "provider_rate_limited");  // the last one, kept
  CHECK(status.has_last_model_reply_at());

  // A failed Generate (fallback off at ai-proxy) degrades the bot too.
  h.ai.fail = true;
  h.ai.fail_code = grpc::StatusCode::UNAVAILABLE;
  ask(h, conversation.id(), "v-3", 6);
  REQUIRE(status_of(h, tenant, bot.id(), &status).ok());
  CHECK(status.degraded());
  CHECK(status.last_fallback_reason() == "provider_unavailable");

  SECTION("another tenant's bot is NOT_FOUND") {
    chatv1::BotModelStatus other;
    auto result = status_of(h, random_uuid(), bot.id(), &other);
    CHECK(result.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK_FALSE(other.degraded());
  }
  SECTION("a malformed bot id or tenant is INVALID_ARGUMENT") {
    chatv1::BotModelStatus other;
    CHECK(status_of(h, tenant, "not-a-uuid", &other).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status_of(h, "", bot.id(), &other).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
}
