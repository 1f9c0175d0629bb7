// GetAnalytics against real PostgreSQL, Redis and gRPC: per-day counts by sender kind,
// conversations started, answered vs "I don't know" bot replies, the window and tenant scope.

#include <catch2/catch.hpp>

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

grpc::Status analytics(Harness& h, const std::string& tenant, int days,
                       chatv1::GetAnalyticsResponse* out, const std::string& bot_id = {}) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::GetAnalyticsRequest request;
  request.set_tenant_id(tenant);
  request.set_days(days);
  request.set_bot_id(bot_id);
  return h.client().GetAnalytics(&context, request, out);
}

void wait_for_count(Harness& h, const std::string& conversation_id, std::size_t count) {
  REQUIRE(wait_until([&] { return h.messages(conversation_id).size() >= count; }));
}

}  // namespace

TEST_CASE("analytics: messages by sender kind, conversations started, answered vs don't-know") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Hi!");
  auto first = h.create_conversation(tenant, bot.id());  // greeting: a bot message
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(first.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "Hours?", &posted).ok());
  wait_for_count(h, first.id(), 3);  // answered reply
  h.ai.answered = false;
  REQUIRE(h.post(first.id(), "v-2", commonv1::SENDER_KIND_VISITOR, "Tungsten?", &posted).ok());
  wait_for_count(h, first.id(), 5);  // "I don't know"
  REQUIRE(h.post(first.id(), "o-1", commonv1::SENDER_KIND_OPERATOR, "Hello", &posted).ok());
  auto second = h.create_conversation(tenant, bot.id());
  // Another tenant's activity is never counted.
  std::string other = random_uuid();
  auto other_bot = h.registry.add_bot(other, "Other", "en", "Hey");
  h.create_conversation(other, other_bot.id());

  chatv1::GetAnalyticsResponse response;
  REQUIRE(analytics(h, tenant, 7, &response).ok());
  REQUIRE(response.days_size() == 7);
  CHECK(response.days(0).date() < response.days(6).date());  // oldest first
  const auto& today = response.days(6);
  CHECK(today.date().size() == 10);
  CHECK(today.visitor_messages() == 2);
  CHECK(today.bot_messages() == 4);  // two greetings, two replies
  CHECK(today.operator_messages() == 1);
  CHECK(today.conversations_started() == 2);
  CHECK(today.answered() == 1);
  CHECK(today.unanswered() == 1);
  for (int i = 0; i < 6; ++i) {
    CHECK(response.days(i).visitor_messages() == 0);
    CHECK(response.days(i).conversations_started() == 0);
  }

  // Older activity falls outside a 1-day window (moved back 3 days in storage).
  {
    auto connection = h.pool().acquire();
    connection->exec("UPDATE chat.messages SET created_at = created_at - interval '3 days' "
                     "WHERE conversation_id = $1",
                     {second.id()});
    connection->exec("UPDATE chat.conversations SET created_at = created_at - interval '3 days' "
                     "WHERE id = $1",
                     {second.id()});
  }
  REQUIRE(analytics(h, tenant, 1, &response).ok());
  REQUIRE(response.days_size() == 1);
  CHECK(response.days(0).conversations_started() == 1);
  CHECK(response.days(0).bot_messages() == 3);
  REQUIRE(analytics(h, tenant, 7, &response).ok());
  CHECK(response.days(3).conversations_started() == 1);
  CHECK(response.days(3).bot_messages() == 1);

  REQUIRE(analytics(h, tenant, 0, &response).ok());
  CHECK(response.days_size() == 30);  // the default
  REQUIRE(analytics(h, tenant, 7, &response, random_uuid()).ok());
  CHECK(response.days(6).visitor_messages() == 0);  // another bot's filter
  CHECK(analytics(h, tenant, 91, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(analytics(h, tenant, -1, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(analytics(h, "", 7, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}
