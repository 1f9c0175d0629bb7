// Rooms (issue 11) against real PostgreSQL, real Redis and the real bot pipeline (fake model):
// roles, invites, leave/remove rules, visitors, membership events in the seq stream, history
// paging both ways, the bot answering only /ai and mentions, rooms kept out of the inbox.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "chat/chat_service.hpp"
#include "fake_services.hpp"
#include "rooms/room_service.hpp"

namespace chatv1 = botfactory::chat::v1;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;
using Code = RoomError::Code;

namespace {

Actor user(const std::string& tenant, const std::string& name) {
  return Actor{tenant, "user", random_uuid(), name};
}

Actor visitor(const std::string& tenant, const std::string& name) {
  return Actor{tenant, "visitor", "v_" + random_uuid().substr(0, 12), name};
}

/// The code of the RoomError `body` throws; fails the test when it throws nothing.
template <typename Body>
std::optional<Code> refused(Body&& body) {
  try {
    body();
  } catch (const RoomError& e) {
    return e.code();
  }
  return std::nullopt;
}

std::vector<std::string> events_of(const std::vector<chatv1::Message>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.event().empty() ? "message" : m.event());
  return out;
}

}  // namespace

TEST_CASE("rooms: roles, leave and remove rules, ownership transfer") {
  Harness h;
  auto& rooms = h.rooms();
  std::string tenant = random_uuid();
  auto owner = user(tenant, "olga");
  auto bob = user(tenant, "bob");
  auto carol = user(tenant, "carol");
  auto guest = visitor(tenant, "Guest 1234");

  auto room = rooms.create(owner, "  General  ", "anything", "public");
  CHECK(room.name() == "General");
  CHECK(room.my_role() == "owner");
  CHECK(room.member_count() == 1);
  CHECK(room.last_seq() == 1);  // the owner's member.joined

  CHECK(rooms.join(bob, room.id(), "").my_role() == "member");
  CHECK(rooms.join(bob, room.id(), "").my_role() == "member");  // idempotent, no second event
  CHECK(rooms.join(carol, room.id(), "").my_role() == "member");
  CHECK(rooms.join(guest, room.id(), "").my_role() == "member");  // visitors: public rooms

  // A member removes nobody; role changes are the owner's.
  CHECK(refused([&] { rooms.remove_member(bob, room.id(), "user", carol.id); }) == Code::kForbidden);
  CHECK(refused([&] { rooms.set_role(bob, room.id(), "user", carol.id, "admin"); }) == Code::kForbidden);
  CHECK(rooms.set_role(owner, room.id(), "user", bob.id, "admin").role() == "admin");
  CHECK(refused([&] { rooms.set_role(owner, room.id(), "visitor", guest.id, "admin"); }) == Code::kInvalid);
  CHECK(refused([&] { rooms.set_role(owner, room.id(), "user", bob.id, "owner"); }) == Code::kInvalid);

  // An admin removes a member, never the owner; only the owner removes an admin.
  CHECK(rooms.remove_member(bob, room.id(), "visitor", guest.id) > 0);
  CHECK(refused([&] { rooms.remove_member(bob, room.id(), "user", owner.id); }) == Code::kForbidden);
  CHECK(rooms.set_role(owner, room.id(), "user", carol.id, "admin").role() == "admin");
  CHECK(refused([&] { rooms.remove_member(bob, room.id(), "user", carol.id); }) == Code::kForbidden);
  CHECK(rooms.remove_member(owner, room.id(), "user", carol.id) > 0);
  CHECK(refused([&] { rooms.remove_member(owner, room.id(), "user", carol.id); }) == Code::kNotFound);
  // A removed visitor no longer reads or writes.
  CHECK(refused([&] { rooms.history(guest, room.id(), 0, 0, 10); }) == Code::kForbidden);
  CHECK(refused([&] { rooms.post(guest, room.id(), "c1", "hi"); }) == Code::kForbidden);

  // The owner leaves only after handing over; ownership goes to a user member.
  CHECK(refused([&] { rooms.leave(owner, room.id()); }) == Code::kConflict);
  CHECK(refused([&] { rooms.transfer_ownership(bob, room.id(), "user", bob.id); }) == Code::kForbidden);
  CHECK(refused([&] { rooms.transfer_ownership(owner, room.id(), "user", carol.id); }) == Code::kNotFound);
  auto after = rooms.transfer_ownership(owner, room.id(), "user", bob.id);
  CHECK(after.my_role() == "admin");
  CHECK(rooms.get(bob, room.id()).my_role() == "owner");
  CHECK(rooms.leave(owner, room.id()) > 0);
  CHECK(rooms.get(owner, room.id()).my_role().empty());  // public: still visible, no longer a member

  // Every membership change is an event of the room's seq stream, in order.
  auto history = rooms.history(bob, room.id(), 0, 0, 100);
  CHECK(events_of(history) ==
        std::vector<std::string>{"member.joined", "member.joined", "member.joined", "member.joined",
                                 "member.role", "member.removed", "member.role", "member.removed",
                                 "member.role", "member.role", "member.left"});
  for (std::size_t i = 0; i < history.size(); ++i) CHECK(history[i].seq() == static_cast<std::int64_t>(i + 1));
  CHECK(history[5].sender().id() == guest.id);
  CHECK(history[9].text() == "owner");  // bob became the owner
}

TEST_CASE("rooms: private rooms, invite links (expiring, revocable), visitors and tenants") {
  Harness h;
  auto& rooms = h.rooms();
  std::string tenant = random_uuid();
  auto owner = user(tenant, "olga");
  auto bob = user(tenant, "bob");
  auto dan = user(tenant, "dan");
  auto guest = visitor(tenant, "Guest 1");
  auto stranger = user(random_uuid(), "mallory");

  CHECK(refused([&] { rooms.create(guest, "x", "", "public"); }) == Code::kForbidden);
  CHECK(refused([&] { rooms.create(owner, "   ", "", "public"); }) == Code::kInvalid);
  CHECK(refused([&] { rooms.create(owner, std::string(101, 'a'), "", "public"); }) == Code::kInvalid);
  CHECK(refused([&] { rooms.create(owner, "x", "", "secret"); }) == Code::kInvalid);
  auto room = rooms.create(owner, "Team", "", "private");
  auto open = rooms.create(owner, "Lobby", "", "public");

  // Not a member of a private room, or another tenant: as if it did not exist.
  CHECK(refused([&] { rooms.get(bob, room.id()); }) == Code::kNotFound);
  CHECK(refused([&] { rooms.join(bob, room.id(), ""); }) == Code::kNotFound);
  CHECK(refused([&] { rooms.get(stranger, open.id()); }) == Code::kNotFound);
  CHECK(refused([&] { rooms.join(stranger, open.id(), ""); }) == Code::kNotFound);
  CHECK(refused([&] { rooms.get(bob, "not-a-uuid"); }) == Code::kNotFound);
  CHECK(refused([&] { rooms.history(bob, open.id(), 0, 0, 10); }) == Code::kForbidden);

  // Lists: mine, and the tenant's public rooms.
  CHECK(rooms.list(owner, "mine", 0).size() == 2);
  auto publics = rooms.list(bob, "public", 0);
  REQUIRE(publics.size() == 1);
  CHECK(publics[0].id() == open.id());
  CHECK(rooms.list(stranger, "public", 0).empty());

  // Invites: admin+ only; a valid token joins a user; revoked and expired tokens do not.
  CHECK(refused([&] { rooms.create_invite(owner, room.id(), 10); }) == Code::kInvalid);
  auto invite = rooms.create_invite(owner, room.id(), 3600);
  CHECK(invite.token().size() == 32);
  CHECK(refused([&] { rooms.join(guest, room.id(), invite.token()); }) == Code::kForbidden);
  CHECK(refused([&] { rooms.join(stranger, "", invite.token()); }) == Code::kNotFound);
  CHECK(refused([&] { rooms.join(bob, "", "wrong-token"); }) == Code::kNotFound);
  CHECK(rooms.join(bob, "", invite.token()).my_role() == "member");
  CHECK(refused([&] { rooms.create_invite(bob, room.id(), 0); }) == Code::kForbidden);
  rooms.revoke_invite(owner, room.id(), invite.invite_id());
  CHECK(refused([&] { rooms.join(dan, room.id(), invite.token()); }) == Code::kNotFound);
  auto expiring = rooms.create_invite(owner, room.id(), 60);
  {
    auto connection = h.pool().acquire();
    connection->exec("UPDATE chat.room_invites SET expires_at = now() - interval '1 second' WHERE id = $1",
                     {expiring.invite_id()});
  }
  CHECK(refused([&] { rooms.join(dan, room.id(), expiring.token()); }) == Code::kNotFound);
  // The token itself is not stored.
  {
    auto connection = h.pool().acquire();
    CHECK(connection->exec("SELECT count(*) FROM chat.room_invites WHERE token_hash = $1",
                           {invite.token()}).int64(0, 0) == 0);
  }

  // Rooms are not conversations of the inbox and not readable through the chat RPCs.
  chatv1::ListConversationsRequest list;
  list.set_tenant_id(tenant);
  CHECK(h.chat().list_conversations(list).conversations_size() == 0);
  chatv1::GetConversationRequest get;
  get.set_tenant_id(tenant);
  get.set_conversation_id(room.id());
  CHECK_THROWS(h.chat().get_conversation(get));
  chatv1::ListMessagesRequest messages;
  messages.set_tenant_id(tenant);
  messages.set_conversation_id(room.id());
  CHECK_THROWS(h.chat().list_messages(messages));
}

TEST_CASE("rooms: history pages backwards by before_seq and forwards by since_seq; events are published") {
  Harness h;
  auto& rooms = h.rooms();
  std::string tenant = random_uuid();
  auto owner = user(tenant, "olga");
  auto room = rooms.create(owner, "Paging", "", "public");
  auto listener = h.listen(room.id());
  auto guest = visitor(tenant, "Guest 7");
  rooms.join(guest, room.id(), "");
  auto joined = listener->next();
  REQUIRE(joined);
  auto frame = boost::json::parse(*joined).as_object();
  CHECK(frame.at("seq").as_int64() == 2);
  CHECK(frame.at("message").at("event").as_string() == "member.joined");
  CHECK(frame.at("message").at("sender").at("id").as_string() == guest.id);

  for (int i = 0; i < 10; ++i) {
    auto posted = rooms.post(i % 2 ? owner : guest, room.id(), "c" + std::to_string(i), "m" + std::to_string(i));
    CHECK(posted.message().seq() == 3 + i);
  }
  CHECK(rooms.post(owner, room.id(), "c1", "again").duplicate());  // idempotent as any message
  // Backwards: the newest 4, then the 4 before them, ... oldest first within a page.
  auto page = rooms.history(owner, room.id(), 0, 13, 4);
  REQUIRE(page.size() == 4);
  CHECK(page.front().seq() == 9);
  CHECK(page.back().seq() == 12);
  page = rooms.history(owner, room.id(), 0, page.front().seq(), 4);
  REQUIRE(page.size() == 4);
  CHECK(page.front().seq() == 5);
  page = rooms.history(owner, room.id(), 0, page.front().seq(), 4);
  REQUIRE(page.size() == 4);
  CHECK(page.front().seq() == 1);
  CHECK(page.front().event() == "member.joined");
  // Forwards (resume): everything after 10.
  auto resumed = rooms.history(guest, room.id(), 10, 0, 50);
  REQUIRE(resumed.size() == 2);
  CHECK(resumed[0].seq() == 11);
  CHECK(resumed[1].text() == "m9");
  CHECK(refused([&] { rooms.history(guest, room.id(), -1, 0, 5); }) == Code::kInvalid);
}

TEST_CASE("rooms: the bot member answers /ai and mentions only") {
  Harness h;
  auto& rooms = h.rooms();
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto other = h.registry.add_bot(random_uuid(), "Foreign", "en", "");
  auto owner = user(tenant, "olga");
  auto guest = visitor(tenant, "Guest 5");
  auto room = rooms.create(owner, "Support", "", "public");
  rooms.join(guest, room.id(), "");
  CHECK_THROWS(rooms.set_bot(owner, room.id(), other.id()));  // another tenant's bot
  CHECK(refused([&] { rooms.set_bot(guest, room.id(), bot.id()); }) == Code::kForbidden);
  auto with_bot = rooms.set_bot(owner, room.id(), bot.id());
  CHECK(with_bot.bot_id() == bot.id());
  CHECK(with_bot.bot_name() == "Helper");

  auto count_bot = [&] {
    int n = 0;
    for (const auto& m : rooms.history(owner, room.id(), 0, 0, 500)) {
      if (m.sender().kind() == botfactory::common::v1::SENDER_KIND_BOT && m.event().empty()) ++n;
    }
    return n;
  };
  rooms.post(guest, room.id(), "p1", "hello everyone");       // a visitor's plain message: silent
  rooms.post(owner, room.id(), "p2", "email me at x@helpers.example");  // not a mention
  botfactory::ai::v1::Source cited;
  cited.set_document_id("doc-1");
  cited.set_document_title("Opening hours");
  cited.set_chunk_id("chunk-1");
  h.ai.sources = {cited};
  rooms.post(guest, room.id(), "p3", "/ai what are your hours?");
  CHECK(wait_until([&] { return count_bot() == 1; }));
  // The reply's sources are in the room's history too (a replayed frame equals the live one).
  bool with_sources = false;
  for (const auto& m : rooms.history(owner, room.id(), 0, 0, 500)) {
    if (m.sender().kind() == botfactory::common::v1::SENDER_KIND_BOT && m.sources_size() == 1) {
      with_sources = m.sources(0).document_title() == "Opening hours";
    }
  }
  CHECK(with_sources);
  h.ai.sources.clear();
  rooms.post(owner, room.id(), "p4", "@helper, where is the office?");
  CHECK(wait_until([&] { return count_bot() == 2; }));
  CHECK(h.ai.last_request().user_text() == "where is the office?");
  // Nothing else was answered (the pipeline ran twice).
  CHECK(h.ai.calls_of(tenant) == 2);

  CHECK(RoomService::bot_question("/AI  hi", "Helper") == std::optional<std::string>("hi"));
  CHECK(RoomService::bot_question("hey @Helper: hi", "Helper") == std::optional<std::string>("hey hi"));
  CHECK_FALSE(RoomService::bot_question("@Helpers hi", "Helper"));
  CHECK_FALSE(RoomService::bot_question("a@helper.com", "Helper"));
  CHECK_FALSE(RoomService::bot_question("plain", ""));

  // Removing the bot: silent again.
  rooms.set_bot(owner, room.id(), "");
  CHECK(rooms.get(owner, room.id()).bot_id().empty());
}
