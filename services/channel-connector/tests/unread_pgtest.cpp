// Unread counts against real PostgreSQL and gRPC: MarkRead's clamping and monotonic position,
// per-user counts in ListConversations, operators' own messages never unread, tenant scoping.

#include <catch2/catch.hpp>

#include "botfactory/rpc/client.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

grpc::Status mark_read(Harness& h, const std::string& tenant, const std::string& id,
                       const std::string& user, std::int64_t seq, chatv1::MarkReadResponse* out) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::MarkReadRequest request;
  request.set_tenant_id(tenant);
  request.set_conversation_id(id);
  request.set_user_id(user);
  request.set_seq(seq);
  return h.client().MarkRead(&context, request, out);
}

chatv1::Conversation listed(Harness& h, const std::string& tenant, const std::string& user) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::ListConversationsRequest request;
  request.set_tenant_id(tenant);
  request.set_user_id(user);
  chatv1::ListConversationsResponse response;
  REQUIRE(h.client().ListConversations(&context, request, &response).ok());
  REQUIRE(response.conversations_size() == 1);
  return response.conversations(0);
}

}  // namespace

TEST_CASE("unread counts: per user, operators' messages excluded, read position only grows") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "b-1", commonv1::SENDER_KIND_BOT, "Hi", &posted).ok());
  REQUIRE(h.post(conversation.id(), "o-1", commonv1::SENDER_KIND_OPERATOR, "Hello", &posted).ok());
  REQUIRE(h.post(conversation.id(), "b-2", commonv1::SENDER_KIND_BOT, "More", &posted).ok());

  auto fresh = listed(h, tenant, "user-a");
  CHECK(fresh.read_seq() == 0);
  CHECK(fresh.unread_count() == 2);  // the two bot messages; the operator's is never unread

  chatv1::MarkReadResponse read;
  REQUIRE(mark_read(h, tenant, conversation.id(), "user-a", 2, &read).ok());
  CHECK(read.read_seq() == 2);
  CHECK(read.unread_count() == 1);
  CHECK(listed(h, tenant, "user-a").unread_count() == 1);
  CHECK(listed(h, tenant, "user-b").unread_count() == 2);  // another user has read nothing

  // Past the end is clamped to last_seq; going back keeps the position.
  REQUIRE(mark_read(h, tenant, conversation.id(), "user-a", 99, &read).ok());
  CHECK(read.read_seq() == 3);
  CHECK(read.unread_count() == 0);
  REQUIRE(mark_read(h, tenant, conversation.id(), "user-a", 1, &read).ok());
  CHECK(read.read_seq() == 3);
  auto after = listed(h, tenant, "user-a");
  CHECK(after.read_seq() == 3);
  CHECK(after.unread_count() == 0);

  REQUIRE(h.post(conversation.id(), "b-3", commonv1::SENDER_KIND_BOT, "New", &posted).ok());
  CHECK(listed(h, tenant, "user-a").unread_count() == 1);

  // Refusals: another tenant, unknown ids, a negative seq, no user.
  CHECK(mark_read(h, random_uuid(), conversation.id(), "user-a", 1, &read).error_code() ==
        grpc::StatusCode::NOT_FOUND);
  CHECK(mark_read(h, tenant, random_uuid(), "user-a", 1, &read).error_code() ==
        grpc::StatusCode::NOT_FOUND);
  CHECK(mark_read(h, tenant, conversation.id(), "user-a", -1, &read).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(mark_read(h, tenant, conversation.id(), "", 1, &read).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
}
