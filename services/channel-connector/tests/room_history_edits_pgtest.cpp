// roomcore: a room's history (RoomService::history, ListRoomMessages) reads like a
// conversation's ListMessages: edited messages in their final state, tombstones for deleted
// ones, and the `edited` / `deleted` events in the seq stream, paging backwards (before_seq)
// and resuming forwards (since_seq). Real PostgreSQL and Redis.

#include <catch2/catch.hpp>

#include "chat/chat_service.hpp"
#include "fake_services.hpp"
#include "chat/message_edits.hpp"
#include "rooms/room_service.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;

namespace {

/// The entry with seq `seq` of `page`; FAILs the test when missing.
const chatv1::Message& at(const std::vector<chatv1::Message>& page, std::int64_t seq) {
  for (const auto& m : page) {
    if (m.seq() == seq) return m;
  }
  FAIL("seq " << seq << " is not in the page");
  return page.front();
}

/// Every page of `room` read backwards from its end, `n` at a time, joined oldest first.
std::vector<chatv1::Message> read_backwards(RoomService& rooms, const Actor& who,
                                            const std::string& room, std::int64_t end, int n) {
  std::vector<chatv1::Message> all;
  std::int64_t before = end + 1;
  for (int guard = 0; guard < 100 && before > 1; ++guard) {
    auto page = rooms.history(who, room, 0, before, n);
    if (page.empty()) break;
    all.insert(all.begin(), page.begin(), page.end());
    before = page.front().seq();
  }
  return all;
}

void check_gap_free(const std::vector<chatv1::Message>& all, std::int64_t last) {
  REQUIRE(static_cast<std::int64_t>(all.size()) == last);
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].seq() == static_cast<std::int64_t>(i) + 1);
}

}  // namespace

TEST_CASE("room history: edits and deletes show in both directions; a resume by since_seq sees the events") {
  Harness h;
  auto& rooms = h.rooms();
  std::string tenant = random_uuid();
  Actor owner{tenant, "user", random_uuid(), "olga"};
  Actor bob{tenant, "user", random_uuid(), "bob"};
  auto room = rooms.create(owner, "Edits", "", "public");  // seq 1: owner joined
  rooms.join(bob, room.id(), "");                           // seq 2
  std::vector<std::int64_t> posted;
  for (int i = 0; i < 6; ++i) {  // seq 3..8
    posted.push_back(rooms.post(i % 2 ? bob : owner, room.id(), "c" + std::to_string(i),
                                "text " + std::to_string(i))
                         .message()
                         .seq());
  }
  std::int64_t resume_from = posted.back();  // a client that saw everything up to here
  auto edited = h.edits().edit(tenant, room.id(), posted[0],
                               EditActor{commonv1::SENDER_KIND_OPERATOR, owner.id}, "text 0, fixed");
  auto deleted = h.edits().remove(tenant, room.id(), posted[1],
                                  EditActor{commonv1::SENDER_KIND_OPERATOR, bob.id});
  CHECK(edited.seq() == 9);
  CHECK(deleted.seq() == 10);
  rooms.post(owner, room.id(), "after", "after the changes");  // seq 11

  auto check_final_state = [&](const std::vector<chatv1::Message>& all) {
    const auto& m0 = at(all, posted[0]);
    CHECK(m0.text() == "text 0, fixed");
    CHECK(m0.has_edited_at());
    CHECK_FALSE(m0.deleted());
    const auto& m1 = at(all, posted[1]);
    CHECK(m1.deleted());  // a tombstone: no text
    CHECK(m1.text().empty());
    const auto& e = at(all, 9);
    CHECK(e.event() == "edited");
    CHECK(e.target_seq() == posted[0]);
    CHECK(e.text() == "text 0, fixed");
    const auto& d = at(all, 10);
    CHECK(d.event() == "deleted");
    CHECK(d.target_seq() == posted[1]);
    CHECK(d.text().empty());
    CHECK(at(all, 2).event() == "member.joined");  // membership events stay in the stream
  };

  SECTION("forwards, in pages") {
    std::vector<chatv1::Message> all;
    std::int64_t since = 0;
    for (int guard = 0; guard < 100; ++guard) {
      auto page = rooms.history(bob, room.id(), since, 0, 3);
      if (page.empty()) break;
      all.insert(all.end(), page.begin(), page.end());
      since = page.back().seq();
    }
    check_gap_free(all, 11);
    check_final_state(all);
  }
  SECTION("backwards, in pages (before_seq)") {
    auto all = read_backwards(rooms, bob, room.id(), 11, 4);
    check_gap_free(all, 11);
    check_final_state(all);
    // A page that ends between an event and its target still carries the event.
    auto page = rooms.history(owner, room.id(), 0, 11, 2);
    REQUIRE(page.size() == 2);
    CHECK(page[0].event() == "edited");
    CHECK(page[1].event() == "deleted");
  }
  SECTION("a client resuming after seq 8 gets the edit and delete events, then the rest") {
    auto resumed = rooms.history(bob, room.id(), resume_from, 0, 50);
    REQUIRE(resumed.size() == 3);
    CHECK(resumed[0].event() == "edited");
    CHECK(resumed[0].target_seq() == posted[0]);
    CHECK(resumed[0].text() == "text 0, fixed");
    CHECK(resumed[1].event() == "deleted");
    CHECK(resumed[1].deleted());
    CHECK(resumed[2].text() == "after the changes");
  }
}
