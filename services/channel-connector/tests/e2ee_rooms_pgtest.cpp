// End-to-end encrypted rooms (docs/e2ee.md) against real PostgreSQL and Redis: device keys,
// first-wins key ids, stale epochs, wraps only for current members' devices, the key epoch
// bumped by a leave or a removal (and the departed member's devices getting no new wraps),
// posts refused unless they are a current envelope, no bot; harden: the key epoch checked inside
// the append, so a post racing a leave never stores a message of the old epoch after the bump;
// harden2: an edit's epoch and its editor's membership checked inside the edit's transaction,
// and a file message's (its caption's epoch, its uploader's membership) inside its append.

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <thread>

#include "botfactory/common/random.hpp"
#include "attachments/attachment_service.hpp"
#include "channel_app.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/message_edits.hpp"
#include "e2ee/e2ee_repository.hpp"
#include "e2ee/e2ee_room_keys.hpp"
#include "e2ee_test_keys.hpp"
#include "fake_services.hpp"
#include "rooms/room_service.hpp"

using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;
using botfactory::common::random_token;

namespace {

/// The (kind, code) of the E2eeError `body` throws; ("", "none") when it throws nothing.
template <typename Body>
std::pair<std::optional<E2eeError::Kind>, std::string> refused(Body&& body) {
  try {
    body();
  } catch (const E2eeError& e) {
    return {e.kind(), e.code()};
  }
  return {std::nullopt, "none"};
}

std::string id22() { return random_token(16); }  // 16 bytes → 22 b64u characters

std::string envelope(std::int32_t epoch, const std::string& key_id) {
  return "e2ee.v1." + std::to_string(epoch) + "." + key_id + "." + random_token(12) + "." + random_token(40);
}

struct Member {
  Actor actor;
  std::string device;
};

/// A fresh tenant's end-to-end encryption keys on a harness of its own.
struct E2eeTenant {
  Harness h;
  E2eeRepository rows{h.pool()};
  E2eeRoomKeys keys{rows};
  std::string tenant = random_uuid();

  /// A new user of the tenant named `name`, with one registered device (a fresh P-256 key).
  Member make(const std::string& name) {
    Member m{Actor{tenant, "user", random_uuid(), name}, id22()};
    keys.put_device(tenant, m.actor.id, m.device, fresh_p256_public_key());
    return m;
  }
};

/// The race cases' room: alice creates an e2ee room, bob and dave (and carol when `carol_joins`)
/// join it by her invite, and the room key of epoch 1 (`k1`) is wrapped for every member's
/// device. All four are users of the tenant with one device each.
struct RaceRoom : E2eeTenant {
  explicit RaceRoom(bool carol_joins) {
    room = h.rooms().create(alice.actor, "secret", "", "private", true);
    auto invite = h.rooms().create_invite(alice.actor, room.id(), 0);
    std::vector<E2eeWrapInput> wraps{{alice.actor.id, alice.device, "alice.k1"}};
    for (const Member* m : {&bob, &carol, &dave}) {
      if (m == &carol && !carol_joins) continue;
      h.rooms().join(m->actor, "", invite.token());
      wraps.push_back({m->actor.id, m->device, m->actor.name + ".k1"});
    }
    keys.put_keys(tenant, room.id(), alice.actor.id, 1, k1, alice.device, wraps);
  }

  /// A departure racing `action`: this thread takes the room's conversation row lock in a
  /// transaction of its own, runs `action` on another thread and waits until that thread waits
  /// for a lock (it passed its checks outside the lock), then does under the lock what a leave /
  /// removal does — deletes `departing` from the room's members and opens the next key epoch —
  /// commits and joins the thread. Returns the room's last_seq under the lock (the departure's
  /// place in the room's messages). REQUIREs that `action` came to wait.
  std::int64_t depart_while_locked(const Member& departing, const std::function<void()>& action) {
    return h.race_conversation_lock(room.id(), action, [&](botfactory::pg::Connection& blocker) {
      blocker.exec("DELETE FROM chat.room_members WHERE room_id = $1::uuid AND member_kind = 'user' "
                   "AND member_id = $2", {room.id(), departing.actor.id});
      blocker.exec("UPDATE chat.rooms SET key_epoch = key_epoch + 1 WHERE conversation_id = $1::uuid",
                   {room.id()});
    });
  }

  Member alice = make("alice");
  Member bob = make("bob");
  Member carol = make("carol");
  Member dave = make("dave");
  botfactory::chat::v1::Room room;
  std::string k1 = id22();
};

}  // namespace

TEST_CASE("e2ee devices: P-256 keys, idempotent, a changed key is a conflict") {
  Harness h;
  E2eeRepository rows(h.pool());
  E2eeRoomKeys keys(rows);
  std::string tenant = random_uuid();
  std::string user = random_uuid();
  std::string device = id22();
  auto key = fresh_p256_public_key();
  REQUIRE(key.size() == 87);

  auto stored = keys.put_device(tenant, user, device, key);
  CHECK(stored.public_key == key);
  CHECK(stored.created_at_us > 0);
  CHECK(keys.put_device(tenant, user, device, key).created_at_us == stored.created_at_us);
  CHECK(refused([&] { keys.put_device(tenant, user, device, fresh_p256_public_key()); }).first ==
        E2eeError::Kind::kAlreadyExists);
  std::string off_curve = key;
  off_curve[70] = off_curve[70] == 'A' ? 'B' : 'A';
  CHECK(refused([&] { keys.put_device(tenant, user, id22(), off_curve); }).first == E2eeError::Kind::kInvalid);
  CHECK(refused([&] { keys.put_device(tenant, user, "short", key); }).first == E2eeError::Kind::kInvalid);
  CHECK(keys.devices(tenant, user).size() == 1);
  CHECK(keys.devices(random_uuid(), user).empty());  // another tenant sees nothing
  for (int i = 1; i < E2eeLimits::kMaxDevicesPerUser; ++i) keys.put_device(tenant, user, id22(), fresh_p256_public_key());
  CHECK(refused([&] { keys.put_device(tenant, user, id22(), fresh_p256_public_key()); }).first ==
        E2eeError::Kind::kInvalid);  // the 21st
}

TEST_CASE("e2ee rooms: epochs, first-wins key ids, member-only wraps, rotation on leave") {
  E2eeTenant t;
  auto& h = t.h;
  auto& rooms = h.rooms();
  auto& keys = t.keys;
  const auto& tenant = t.tenant;
  auto alice = t.make("alice");
  auto bob = t.make("bob");
  auto carol = t.make("carol");
  auto outsider = t.make("mallory");

  CHECK_THROWS_AS(rooms.create(alice.actor, "open", "", "public", true), RoomError);
  auto plain = rooms.create(alice.actor, "plain", "", "private", false);
  CHECK_FALSE(plain.e2ee());
  auto room = rooms.create(alice.actor, "secret", "", "private", true);
  CHECK(room.e2ee());
  CHECK(room.key_epoch() == 1);
  auto invite = rooms.create_invite(alice.actor, room.id(), 0);
  rooms.join(bob.actor, "", invite.token());
  rooms.join(carol.actor, "", invite.token());

  // The room key of epoch 1, wrapped for the three members' devices.
  std::string k1 = id22();
  std::vector<E2eeWrapInput> wraps{{alice.actor.id, alice.device, "a.b.c"},
                                   {bob.actor.id, bob.device, "d.e.f"},
                                   {carol.actor.id, carol.device, "g.h.i"}};
  // Not for an outsider's device; not by an outsider.
  CHECK(refused([&] {
          keys.put_keys(tenant, room.id(), alice.actor.id, 1, k1, alice.device,
                        {{outsider.actor.id, outsider.device, "x.y.z"}});
        }).first == E2eeError::Kind::kInvalid);
  CHECK(refused([&] { keys.put_keys(tenant, room.id(), outsider.actor.id, 1, k1, outsider.device, wraps); }).first ==
        E2eeError::Kind::kNotFound);
  CHECK(refused([&] { keys.put_keys(random_uuid(), room.id(), alice.actor.id, 1, k1, alice.device, wraps); }).first ==
        E2eeError::Kind::kNotFound);
  CHECK(refused([&] { keys.put_keys(tenant, plain.id(), alice.actor.id, 1, k1, alice.device, wraps); }).first ==
        E2eeError::Kind::kConflict);
  CHECK(refused([&] { keys.put_keys(tenant, room.id(), alice.actor.id, 1, k1, bob.device, wraps); }).first ==
        E2eeError::Kind::kInvalid);  // not alice's device
  CHECK(refused([&] {
          keys.put_keys(tenant, room.id(), alice.actor.id, 1, k1, alice.device, {{bob.actor.id, bob.device, "a b"}});
        }).first == E2eeError::Kind::kInvalid);

  // Nothing was stored by the refusals: the first valid upload fixes the key id.
  CHECK(keys.room_keys(tenant, room.id(), alice.actor.id, "").key_id.empty());
  auto first = keys.put_keys(tenant, room.id(), alice.actor.id, 1, k1, alice.device, wraps);
  CHECK(first.stored == 3);
  CHECK(first.key_id == k1);
  CHECK(keys.put_keys(tenant, room.id(), alice.actor.id, 1, k1, alice.device, wraps).stored == 0);  // kept
  auto conflict = refused([&] { keys.put_keys(tenant, room.id(), bob.actor.id, 1, id22(), bob.device, wraps); });
  CHECK(conflict.first == E2eeError::Kind::kConflict);
  CHECK(conflict.second == "key_conflict");
  auto stale = refused([&] { keys.put_keys(tenant, room.id(), bob.actor.id, 2, k1, bob.device, wraps); });
  CHECK(stale.second == "key_epoch_stale");

  auto view = keys.room_keys(tenant, room.id(), bob.actor.id, bob.device);
  CHECK(view.key_epoch == 1);
  CHECK(view.key_id == k1);
  CHECK(view.devices.size() == 3);
  for (const auto& d : view.devices) CHECK(d.has_key);
  REQUIRE(view.my_keys.size() == 1);
  CHECK(view.my_keys[0].wrapped_key == "d.e.f");
  CHECK(view.my_keys[0].wrapped_by.device_id == alice.device);
  CHECK(refused([&] { keys.room_keys(tenant, room.id(), outsider.actor.id, outsider.device); }).first ==
        E2eeError::Kind::kNotFound);

  // Posts: only a current envelope; no bot; the bot cannot be set.
  CHECK(refused([&] { rooms.post(bob.actor, room.id(), "c1", "hello in clear"); }).second == "e2ee_required");
  CHECK(refused([&] { rooms.post(bob.actor, room.id(), "c2", "/ai what is this?"); }).second == "e2ee_required");
  CHECK(refused([&] { rooms.post(bob.actor, room.id(), "c3", envelope(1, id22())); }).second == "key_conflict");
  CHECK(rooms.post(bob.actor, room.id(), "c4", envelope(1, k1)).message().seq() > 0);
  CHECK(rooms.post(alice.actor, plain.id(), "c5", "plain rooms take plain text").message().seq() > 0);
  try {
    rooms.set_bot(alice.actor, room.id(), random_uuid());
    FAIL("set_bot on an e2ee room must be refused");
  } catch (const RoomError& e) {
    CHECK(e.code() == RoomError::Code::kConflict);
    CHECK(std::string(e.what()).rfind("e2ee_room: ", 0) == 0);
  }

  // Carol leaves: epoch 2 in the same transaction; epoch-1 messages are stale now.
  rooms.leave(carol.actor, room.id());
  CHECK(rooms.get(alice.actor, room.id()).key_epoch() == 2);
  CHECK(refused([&] { rooms.post(bob.actor, room.id(), "c6", envelope(1, k1)); }).second == "key_epoch_stale");
  CHECK(refused([&] { keys.room_keys(tenant, room.id(), carol.actor.id, carol.device); }).first ==
        E2eeError::Kind::kNotFound);
  // The departed member's device gets no wrap of epoch 2; the remaining ones do.
  std::string k2 = id22();
  CHECK(refused([&] {
          keys.put_keys(tenant, room.id(), alice.actor.id, 2, k2, alice.device,
                        {{carol.actor.id, carol.device, "n.o.p"}});
        }).first == E2eeError::Kind::kInvalid);
  CHECK(keys.put_keys(tenant, room.id(), alice.actor.id, 2, k2, alice.device,
                      {{alice.actor.id, alice.device, "q.r.s"}, {bob.actor.id, bob.device, "t.u.v"}})
            .stored == 2);
  auto after = keys.room_keys(tenant, room.id(), bob.actor.id, bob.device);
  CHECK(after.key_epoch == 2);
  CHECK(after.key_id == k2);
  CHECK(after.devices.size() == 2);
  CHECK(after.my_keys.size() == 2);
  CHECK(rooms.post(bob.actor, room.id(), "c7", envelope(2, k2)).message().seq() > 0);
  auto wraps_of_carol = t.rows.wraps_for(tenant, room.id(), carol.actor.id, carol.device);
  REQUIRE(wraps_of_carol.size() == 1);
  CHECK(wraps_of_carol[0].epoch == 1);

  // A removal bumps too; leaving a plain room does not.
  rooms.remove_member(alice.actor, room.id(), "user", bob.actor.id);
  CHECK(rooms.get(alice.actor, room.id()).key_epoch() == 3);
  rooms.join(bob.actor, "", rooms.create_invite(alice.actor, plain.id(), 0).token());
  rooms.leave(bob.actor, plain.id());
  CHECK(rooms.get(alice.actor, plain.id()).key_epoch() == 1);
}

TEST_CASE("e2ee rooms: a leave racing posts — no message of the old key epoch is stored after the bump (harden)") {
  RaceRoom r(/*carol_joins=*/true);
  auto& h = r.h;
  auto& rooms = h.rooms();
  auto old_epoch_after = [&](std::int64_t bump_seq) {
    return h.count("SELECT count(*) FROM chat.messages WHERE conversation_id = $1::uuid AND event IS NULL "
                   "AND text LIKE 'e2ee.v1.1.%' AND seq > $2::bigint",
                   {r.room.id(), std::to_string(bump_seq)});
  };

  // 1. Deterministic: bob's post passed the envelope check at epoch 1 and waits for the room's
  // row lock; meanwhile a departure (here: the test's own transaction doing what a leave does,
  // under that lock) removes dave and opens epoch 2. The post must not store an epoch-1 message.
  {
    std::pair<std::optional<E2eeError::Kind>, std::string> outcome;
    auto bump_seq = r.depart_while_locked(r.dave, [&] {
      outcome = refused([&] { rooms.post(r.bob.actor, r.room.id(), "held", envelope(1, r.k1)); });
    });
    CHECK(outcome.second == "key_epoch_stale");
    CHECK(h.count("SELECT count(*) FROM chat.messages WHERE client_id = 'held'") == 0);
    CHECK(old_epoch_after(bump_seq) == 0);
  }

  // 2. A real race: alice and bob post epoch-2 envelopes as fast as they can while carol leaves
  // (epoch 3 in the leave's transaction). Every epoch-2 message stored precedes carol's
  // member.left event; after it, posts are refused key_epoch_stale (or the poster stopped).
  std::string k2 = id22();
  r.keys.put_keys(r.tenant, r.room.id(), r.alice.actor.id, 2, k2, r.alice.device,
                  {{r.alice.actor.id, r.alice.device, "m.n.o"}, {r.bob.actor.id, r.bob.device, "p.q.r"},
                   {r.carol.actor.id, r.carol.device, "s.t.u"}});
  std::atomic<int> stored{0};
  std::atomic<int> stale{0};
  std::atomic<int> other_errors{0};
  std::vector<std::thread> posters;
  for (const auto* m : {&r.alice, &r.bob}) {
    posters.emplace_back([&, m] {
      for (int i = 0; i < 300; ++i) {
        try {
          rooms.post(m->actor, r.room.id(), m->actor.name + "-" + std::to_string(i), envelope(2, k2));
          ++stored;
        } catch (const E2eeError& e) {
          if (e.code() == "key_epoch_stale") {
            ++stale;
            return;
          }
          ++other_errors;
          return;
        } catch (...) {
          ++other_errors;
          return;
        }
      }
    });
  }
  REQUIRE(wait_until([&] { return stored.load() >= 10; }));
  rooms.leave(r.carol.actor, r.room.id());
  for (auto& t : posters) t.join();
  CHECK(other_errors.load() == 0);
  CHECK(rooms.get(r.alice.actor, r.room.id()).key_epoch() == 3);
  auto left_seq = h.count("SELECT seq FROM chat.messages WHERE conversation_id = $1::uuid "
                          "AND event = 'member.left'", {r.room.id()});
  CHECK(left_seq > 0);
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE conversation_id = $1::uuid AND event IS NULL "
                "AND text LIKE 'e2ee.v1.2.%' AND seq > $2::bigint",
                {r.room.id(), std::to_string(left_seq)}) == 0);
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE conversation_id = $1::uuid AND event IS NULL "
                "AND text LIKE 'e2ee.v1.2.%'", {r.room.id()}) == stored.load());
  INFO("stored " << stored.load() << ", refused stale " << stale.load());
}

TEST_CASE("e2ee rooms: an edit racing a departure — no old-epoch edit and no edit by a removed member after it (harden2)") {
  RaceRoom r(/*carol_joins=*/false);
  auto& h = r.h;
  auto& rooms = h.rooms();
  auto original = envelope(1, r.k1);
  auto seq = rooms.post(r.bob.actor, r.room.id(), "orig", original).message().seq();
  auto edits_stored = [&] {
    return h.count("SELECT count(*) FROM chat.message_events WHERE conversation_id = $1::uuid", {r.room.id()});
  };
  // bob's edit, of epoch `epoch`, racing `departing`'s departure (RaceRoom::depart_while_locked).
  // Returns the edit's EditError code ("none" = stored).
  auto edit_racing_departure = [&](const Member& departing, std::int32_t epoch, const std::string& key) {
    std::string code = "none";
    r.depart_while_locked(departing, [&] {
      try {
        h.edits().edit(r.tenant, r.room.id(), seq,
                       EditActor{botfactory::common::v1::SENDER_KIND_OPERATOR, r.bob.actor.id}, envelope(epoch, key));
      } catch (const EditError& e) {
        code = e.code();
      }
    });
    return code;
  };

  // 1. dave leaves while bob's epoch-1 edit waits: refused key_epoch_stale, the text unchanged.
  CHECK(edit_racing_departure(r.dave, 1, r.k1) == "key_epoch_stale");
  CHECK(edits_stored() == 0);
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE conversation_id = $1::uuid AND seq = $2::bigint "
                "AND text = $3 AND edited_at IS NULL", {r.room.id(), std::to_string(seq), original}) == 1);

  // 2. bob himself is removed while his edit (a current envelope of epoch 2) waits: forbidden.
  std::string k2 = id22();
  r.keys.put_keys(r.tenant, r.room.id(), r.alice.actor.id, 2, k2, r.alice.device,
                  {{r.alice.actor.id, r.alice.device, "m.n.o"}, {r.bob.actor.id, r.bob.device, "p.q.r"}});
  CHECK(edit_racing_departure(r.bob, 2, k2) == "forbidden");
  CHECK(edits_stored() == 0);

  // 3. Without a race a member's current-epoch edit is stored (the check does not refuse it).
  std::string k3 = id22();
  r.keys.put_keys(r.tenant, r.room.id(), r.alice.actor.id, 3, k3, r.alice.device,
                  {{r.alice.actor.id, r.alice.device, "s.t.u"}});
  auto mine = rooms.post(r.alice.actor, r.room.id(), "mine", envelope(3, k3)).message().seq();
  h.edits().edit(r.tenant, r.room.id(), mine,
                 EditActor{botfactory::common::v1::SENDER_KIND_OPERATOR, r.alice.actor.id}, envelope(3, k3));
  CHECK(edits_stored() == 1);
}

TEST_CASE("e2ee rooms: a file upload racing a departure — no old-epoch caption and no file by a removed member after it (harden2)") {
  RaceRoom r(/*carol_joins=*/false);
  auto& h = r.h;
  auto upload = [&](const Member& who, const std::string& client_id, const std::string& caption) {
    botfactory::chat::v1::UploadAttachmentRequest request;
    request.set_tenant_id(r.tenant);
    request.set_conversation_id(r.room.id());
    request.set_client_id(client_id);
    request.set_sender_kind(botfactory::common::v1::SENDER_KIND_OPERATOR);
    request.set_sender_id(who.actor.id);
    request.set_sender_name(who.actor.name);
    request.set_caption(caption);
    request.set_file_name("encrypted.bin");
    request.set_content(random_token(64));
    return h.app().attachments().upload(request);
  };
  auto files_stored = [&] {
    return h.count("SELECT count(*) FROM chat.attachments WHERE conversation_id = $1::uuid", {r.room.id()});
  };
  // bob's upload (caption `caption`) racing `departing`'s departure
  // (RaceRoom::depart_while_locked). Returns the refusal's status message ("none" = stored).
  auto upload_racing_departure = [&](const Member& departing, const std::string& client_id,
                                     const std::string& caption) {
    std::string outcome = "none";
    r.depart_while_locked(departing, [&] {
      try {
        upload(r.bob, client_id, caption);
      } catch (const botfactory::rpc::StatusError& e) {
        outcome = e.what();
      }
    });
    return outcome;
  };

  // 1. dave leaves while bob's file with an epoch-1 caption waits: refused key_epoch_stale.
  auto stale = upload_racing_departure(r.dave, "f1", envelope(1, r.k1));
  CHECK(stale.find("key_epoch_stale") != std::string::npos);
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE client_id = 'f1'") == 0);
  CHECK(files_stored() == 0);

  // 2. bob himself is removed while his file (no caption) waits: refused, nothing stored.
  auto removed = upload_racing_departure(r.bob, "f2", "");
  CHECK(removed.find("only members of the room") != std::string::npos);
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE client_id = 'f2'") == 0);
  CHECK(files_stored() == 0);

  // 3. Without a race a member's file with a current caption is stored.
  std::string k3 = id22();
  r.keys.put_keys(r.tenant, r.room.id(), r.alice.actor.id, 3, k3, r.alice.device,
                  {{r.alice.actor.id, r.alice.device, "s.t.u"}});
  auto stored = upload(r.alice, "f3", envelope(3, k3));
  CHECK(stored.message_seq() > 0);
  CHECK(files_stored() == 1);
}
