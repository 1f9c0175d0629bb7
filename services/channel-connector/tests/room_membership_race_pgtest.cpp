// roomcore: a room post is refused inside its own append when the sender is not a member
// (ChatStore's append checks chat.room_members under the conversation row's lock), so a post
// racing the sender's removal commits before the member.removed event or not at all. Real
// PostgreSQL and Redis; no timing assumptions (the race is driven many times).

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/chat_service.hpp"
#include "chat/message_edits.hpp"
#include "fake_services.hpp"
#include "rooms/room_service.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;

namespace {

/// A room post of user `id` straight to ChatService::post_room_message: the path after
/// RoomService's own membership check, so only the append's check stands in the way.
chatv1::PostMessageRequest room_post(const std::string& tenant, const std::string& room,
                                     const std::string& id, const std::string& client_id) {
  chatv1::PostMessageRequest request;
  request.set_tenant_id(tenant);
  request.set_conversation_id(room);
  request.set_client_id(client_id);
  request.set_text("hello from " + id);
  request.mutable_sender()->set_kind(commonv1::SENDER_KIND_OPERATOR);
  request.mutable_sender()->set_id(id);
  request.mutable_sender()->set_name("member");
  return request;
}

std::int64_t count(Harness& h, const std::string& sql, const std::vector<botfactory::pg::Param>& params) {
  auto connection = h.pool().acquire();
  return connection->exec(sql, params).int64(0, 0);
}

}  // namespace

TEST_CASE("room posts: the append itself refuses a sender who is not a member") {
  Harness h;
  std::string tenant = random_uuid();
  Actor owner{tenant, "user", random_uuid(), "olga"};
  auto room = h.rooms().create(owner, "Closed", "", "public");
  std::string stranger = random_uuid();
  try {
    h.chat().post_room_message(room_post(tenant, room.id(), stranger, "s1"), std::nullopt);
    FAIL("a non-member's post was stored");
  } catch (const botfactory::rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::PERMISSION_DENIED);
  }
  CHECK(count(h, "SELECT count(*) FROM chat.messages WHERE conversation_id = $1 AND sender_id = $2",
              {room.id(), stranger}) == 0);
  CHECK(count(h, "SELECT last_seq FROM chat.conversations WHERE id = $1", {room.id()}) == 1);
  // A member posts through the same path.
  auto posted = h.chat().post_room_message(room_post(tenant, room.id(), owner.id, "o1"), std::nullopt);
  CHECK(posted.message().seq() == 2);
}

TEST_CASE("room posts racing the sender's removal never commit after the member.removed event") {
  Harness h;
  std::string tenant = random_uuid();
  Actor owner{tenant, "user", random_uuid(), "olga"};
  auto room = h.rooms().create(owner, "Race", "", "public");
  constexpr int kRounds = 12;
  int refused_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    Actor member{tenant, "user", random_uuid(), "m" + std::to_string(round)};
    h.rooms().join(member, room.id(), "");
    std::atomic<int> stored{0};
    std::atomic<bool> refused{false};
    std::thread poster([&] {
      for (int i = 0; i < 2000 && !refused; ++i) {
        try {
          h.chat().post_room_message(
              room_post(tenant, room.id(), member.id, "r" + std::to_string(i)), std::nullopt);
          ++stored;
        } catch (const botfactory::rpc::StatusError& e) {
          if (e.code() == grpc::StatusCode::PERMISSION_DENIED) refused = true;
        }
      }
    });
    // Remove while the member is posting (after a few posts went in: a bounded poll).
    wait_until([&] { return stored.load() >= 3; });
    std::int64_t removed_at = h.rooms().remove_member(owner, room.id(), "user", member.id);
    poster.join();
    if (refused) ++refused_rounds;
    CHECK(count(h,
                "SELECT count(*) FROM chat.messages WHERE conversation_id = $1 AND sender_id = $2 "
                "AND event IS NULL AND seq > $3",
                {room.id(), member.id, std::to_string(removed_at)}) == 0);
  }
  CHECK(refused_rounds == kRounds);  // every poster was stopped by the append's refusal
  // The stream stays gap-free.
  CHECK(count(h, "SELECT count(*) FROM chat.messages WHERE conversation_id = $1", {room.id()}) ==
        count(h, "SELECT last_seq FROM chat.conversations WHERE id = $1", {room.id()}));
}

TEST_CASE("room deletes: a delete waiting behind the author's removal is refused inside its transaction") {
  // The delete passed every check before its transaction and waits for the room's row lock
  // while the test's own transaction does what a removal does under that lock (deletes the
  // member row). Inside the delete's transaction the author is no longer a member: forbidden,
  // and the message stays as it was.
  Harness h;
  std::string tenant = random_uuid();
  Actor owner{tenant, "user", random_uuid(), "olga"};
  Actor member{tenant, "user", random_uuid(), "max"};
  auto room = h.rooms().create(owner, "Deletes", "", "public");
  h.rooms().join(member, room.id(), "");
  auto seq = h.rooms().post(member, room.id(), "d1", "keep me").message().seq();
  std::string code = "none";
  h.race_conversation_lock(
      room.id(),
      [&] {
        try {
          h.edits().remove(tenant, room.id(), seq, EditActor{commonv1::SENDER_KIND_OPERATOR, member.id});
        } catch (const EditError& e) {
          code = e.code();
        }
      },
      [&](botfactory::pg::Connection& blocker) {
        blocker.exec("DELETE FROM chat.room_members WHERE room_id = $1::uuid AND member_kind = 'user' "
                     "AND member_id = $2", {room.id(), member.id});
      });
  CHECK(code == "forbidden");
  CHECK(count(h, "SELECT count(*) FROM chat.messages WHERE conversation_id = $1 AND seq = $2 "
                 "AND text = 'keep me' AND deleted_at IS NULL", {room.id(), std::to_string(seq)}) == 1);
  CHECK(count(h, "SELECT count(*) FROM chat.message_events WHERE conversation_id = $1", {room.id()}) == 0);
}
