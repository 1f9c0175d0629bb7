#include "rooms/room_repository.hpp"

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "chat/message_rows.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kNilBot = "00000000-0000-0000-0000-000000000000";

// $1 tenant, then viewer kind/id at $k/$i (placeholders given by the caller's query).
#define BF_ROOM_COLUMNS(kind, id)                                                              \
  "r.conversation_id, r.tenant_id, r.name, r.topic, r.visibility, "                          \
  "CASE WHEN c.bot_id = '" "00000000-0000-0000-0000-000000000000" "' THEN '' ELSE c.bot_id::text END, " \
  "c.last_seq, (SELECT count(*) FROM chat.room_members m WHERE m.room_id = r.conversation_id), " \
  "COALESCE((SELECT m.role FROM chat.room_members m WHERE m.room_id = r.conversation_id "     \
  "AND m.member_kind = " kind " AND m.member_id = " id "), ''), "                              \
  "(extract(epoch from r.created_at) * 1000000)::bigint, "                                  \
  "COALESCE((SELECT m.name FROM chat.room_members m WHERE m.room_id = r.conversation_id "     \
  "AND m.member_kind = 'bot' LIMIT 1), ''), r.e2ee, r.key_epoch"

constexpr const char* kInsertConversation =
    "INSERT INTO chat.conversations (tenant_id, bot_id, channel, visitor_id, visitor_name) "
    "VALUES ($1, '00000000-0000-0000-0000-000000000000', 'room', '', '') RETURNING id";
constexpr const char* kInsertRoom =
    "INSERT INTO chat.rooms (conversation_id, tenant_id, name, topic, visibility, e2ee) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kInsertMember =
    "INSERT INTO chat.room_members (room_id, member_kind, member_id, name, role) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
constexpr const char* kGetRoom =
    "SELECT " BF_ROOM_COLUMNS("$3", "$4")
    " FROM chat.rooms r JOIN chat.conversations c ON c.id = r.conversation_id "
    "WHERE r.conversation_id = $2 AND r.tenant_id = $1";
constexpr const char* kListMine =
    "SELECT " BF_ROOM_COLUMNS("$2", "$3")
    " FROM chat.room_members mm JOIN chat.rooms r ON r.conversation_id = mm.room_id "
    "JOIN chat.conversations c ON c.id = r.conversation_id "
    "WHERE mm.member_kind = $2 AND mm.member_id = $3 AND r.tenant_id = $1 "
    "ORDER BY c.updated_at DESC, r.conversation_id DESC LIMIT $4";
constexpr const char* kListPublic =
    "SELECT " BF_ROOM_COLUMNS("$2", "$3")
    " FROM chat.rooms r JOIN chat.conversations c ON c.id = r.conversation_id "
    "WHERE r.tenant_id = $1 AND r.visibility = 'public' "
    "ORDER BY r.created_at DESC, r.conversation_id DESC LIMIT $4";
constexpr const char* kRoleOf =
    "SELECT role FROM chat.room_members WHERE room_id = $1 AND member_kind = $2 AND member_id = $3";
constexpr const char* kLockRoom =
    "SELECT last_seq FROM chat.conversations WHERE id = $1 AND channel = 'room' FOR UPDATE";
constexpr const char* kInsertEvent =
    "INSERT INTO chat.messages AS m (conversation_id, seq, sender_kind, sender_id, sender_name, "
    "text, client_id, event) VALUES ($1, $2, $3, $4, $5, $6, 'room-event-' || gen_random_uuid(), "
    "$7) RETURNING " BF_MESSAGE_ROW_COLUMNS;
constexpr const char* kAdvance =
    "UPDATE chat.conversations SET last_seq = $2, updated_at = now() WHERE id = $1";
constexpr const char* kDeleteMember =
    "DELETE FROM chat.room_members WHERE room_id = $1 AND member_kind = $2 AND member_id = $3 "
    "RETURNING name";
// e2ee (docs/e2ee.md): a departure opens the next key epoch, in the departure's transaction.
constexpr const char* kBumpKeyEpoch =
    "UPDATE chat.rooms SET key_epoch = key_epoch + 1 WHERE conversation_id = $1 AND e2ee";
constexpr const char* kSetRole =
    "UPDATE chat.room_members SET role = $4 WHERE room_id = $1 AND member_kind = $2 "
    "AND member_id = $3 RETURNING name";
constexpr const char* kMembers =
    "SELECT member_kind, member_id, name, role, (extract(epoch from joined_at) * 1000000)::bigint "
    "FROM chat.room_members WHERE room_id = $1 ORDER BY CASE role WHEN 'owner' THEN 0 "
    "WHEN 'admin' THEN 1 ELSE 2 END, joined_at, member_id LIMIT 1000";
constexpr const char* kCreateInvite =
    "INSERT INTO chat.room_invites (room_id, token_hash, created_by, expires_at) "
    "VALUES ($1, $2, $3, now() + $4::int * interval '1 second') "
    "RETURNING id, (extract(epoch from expires_at) * 1000000)::bigint";
constexpr const char* kRevokeInvite =
    "UPDATE chat.room_invites SET revoked_at = COALESCE(revoked_at, now()) "
    "WHERE id = $2 AND room_id = $1";
constexpr const char* kFindInvite =
    "SELECT i.room_id, r.tenant_id FROM chat.room_invites i JOIN chat.rooms r "
    "ON r.conversation_id = i.room_id WHERE i.token_hash = $1 AND i.revoked_at IS NULL "
    "AND i.expires_at > now()";
constexpr const char* kSetBot = "UPDATE chat.conversations SET bot_id = $2 WHERE id = $1";
#undef BF_ROOM_COLUMNS


chat::v1::Room read_room(const pg::Result& r, int row) {
  chat::v1::Room room;
  room.set_id(r.str(row, 0));
  room.set_tenant_id(r.str(row, 1));
  room.set_name(r.str(row, 2));
  room.set_topic(r.str(row, 3));
  room.set_visibility(r.str(row, 4));
  room.set_bot_id(r.str(row, 5));
  room.set_last_seq(r.int64(row, 6));
  room.set_member_count(static_cast<std::int32_t>(r.int64(row, 7)));
  room.set_my_role(r.str(row, 8));
  *room.mutable_created_at() = rpc::timestamp_from_micros(r.int64(row, 9));
  room.set_bot_name(r.str(row, 10));
  room.set_e2ee(r.boolean(row, 11));
  room.set_key_epoch(static_cast<std::int32_t>(r.int64(row, 12)));
  return room;
}

/// Under the room's row lock (taken here, first in every membership transaction): the next seq
/// for `event` as `member`.
chat::v1::Message append_event(pg::Connection& connection, const std::string& room_id,
                               std::int64_t last_seq, const MemberRef& member,
                               const std::string& event, const std::string& text) {
  std::int64_t seq = last_seq + 1;
  auto inserted = connection.exec(kInsertEvent, {room_id, std::to_string(seq),
                                                 sender_kind_of_member(member.kind), member.id,
                                                 member.name, text, event});
  connection.exec(kAdvance, {room_id, std::to_string(seq)});
  return read_message_row(inserted, 0);
}

}  // namespace

std::string sender_kind_of_member(const std::string& member_kind) {
  if (member_kind == "user") return "operator";
  return member_kind;  // visitor, bot
}

RoomRepository::RoomRepository(pg::Pool& pool) : pool_(pool) {}

std::pair<chat::v1::Room, chat::v1::Message> RoomRepository::create(
    const std::string& tenant_id, const std::string& name, const std::string& topic,
    const std::string& visibility, const MemberRef& owner, bool e2ee) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto id = connection->exec(kInsertConversation, {tenant_id}).str(0, 0);
  connection->exec(kInsertRoom, {id, tenant_id, name, topic, visibility, std::string(e2ee ? "true" : "false")});
  connection->exec(kInsertMember, {id, owner.kind, owner.id, owner.name, std::string("owner")});
  auto event = append_event(*connection, id, 0, owner, "member.joined", "owner");
  auto room = read_room(connection->exec(kGetRoom, {tenant_id, id, owner.kind, owner.id}), 0);
  tx.commit();
  return {std::move(room), std::move(event)};
}

std::optional<chat::v1::Room> RoomRepository::get(const std::string& tenant_id,
                                                  const std::string& room_id,
                                                  const MemberRef& viewer) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kGetRoom, {tenant_id, room_id, viewer.kind, viewer.id});
  if (r.rows() == 0) return std::nullopt;
  return read_room(r, 0);
}

std::vector<chat::v1::Room> RoomRepository::list_mine(const std::string& tenant_id,
                                                      const MemberRef& viewer, int limit) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kListMine, {tenant_id, viewer.kind, viewer.id, std::to_string(limit)});
  std::vector<chat::v1::Room> rooms;
  for (int i = 0; i < r.rows(); ++i) rooms.push_back(read_room(r, i));
  return rooms;
}

std::vector<chat::v1::Room> RoomRepository::list_public(const std::string& tenant_id,
                                                        const MemberRef& viewer, int limit) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kListPublic, {tenant_id, viewer.kind, viewer.id, std::to_string(limit)});
  std::vector<chat::v1::Room> rooms;
  for (int i = 0; i < r.rows(); ++i) rooms.push_back(read_room(r, i));
  return rooms;
}

std::string RoomRepository::role_of(const std::string& room_id, const std::string& kind,
                                    const std::string& id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kRoleOf, {room_id, kind, id});
  return r.rows() == 0 ? std::string() : r.str(0, 0);
}

std::optional<chat::v1::Message> RoomRepository::add_member(const std::string& room_id,
                                                            const MemberRef& member,
                                                            const std::string& role) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto locked = connection->exec(kLockRoom, {room_id});
  if (locked.rows() == 0) return std::nullopt;
  auto inserted = connection->exec(kInsertMember, {room_id, member.kind, member.id, member.name, role});
  if (inserted.affected() == 0) return std::nullopt;
  auto event = append_event(*connection, room_id, locked.int64(0, 0), member, "member.joined", role);
  tx.commit();
  return event;
}

std::optional<chat::v1::Message> RoomRepository::remove_member(const std::string& room_id,
                                                               const std::string& kind,
                                                               const std::string& id,
                                                               const std::string& event) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto locked = connection->exec(kLockRoom, {room_id});
  if (locked.rows() == 0) return std::nullopt;
  auto deleted = connection->exec(kDeleteMember, {room_id, kind, id});
  if (deleted.rows() == 0) return std::nullopt;
  connection->exec(kBumpKeyEpoch, {room_id});
  auto message = append_event(*connection, room_id, locked.int64(0, 0),
                              MemberRef{kind, id, deleted.str(0, 0)}, event, "");
  tx.commit();
  return message;
}

std::optional<chat::v1::Message> RoomRepository::set_role(const std::string& room_id,
                                                          const std::string& kind,
                                                          const std::string& id,
                                                          const std::string& role) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto locked = connection->exec(kLockRoom, {room_id});
  if (locked.rows() == 0) return std::nullopt;
  auto updated = connection->exec(kSetRole, {room_id, kind, id, role});
  if (updated.rows() == 0) return std::nullopt;
  auto message = append_event(*connection, room_id, locked.int64(0, 0),
                              MemberRef{kind, id, updated.str(0, 0)}, "member.role", role);
  tx.commit();
  return message;
}

std::vector<chat::v1::Message> RoomRepository::transfer_owner(const std::string& room_id,
                                                              const MemberRef& from,
                                                              const MemberRef& to) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto locked = connection->exec(kLockRoom, {room_id});
  if (locked.rows() == 0) return {};
  // The old owner steps down first: one owner per room (room_members_one_owner).
  auto down = connection->exec(kSetRole, {room_id, from.kind, from.id, std::string("admin")});
  if (down.rows() == 0) return {};
  auto up = connection->exec(kSetRole, {room_id, to.kind, to.id, std::string("owner")});
  if (up.rows() == 0) return {};  // rolled back
  std::vector<chat::v1::Message> events;
  std::int64_t seq = locked.int64(0, 0);
  events.push_back(append_event(*connection, room_id, seq, MemberRef{from.kind, from.id, down.str(0, 0)},
                                "member.role", "admin"));
  events.push_back(append_event(*connection, room_id, seq + 1, MemberRef{to.kind, to.id, up.str(0, 0)},
                                "member.role", "owner"));
  tx.commit();
  return events;
}

std::vector<chat::v1::RoomMember> RoomRepository::members(const std::string& room_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kMembers, {room_id});
  std::vector<chat::v1::RoomMember> out;
  for (int i = 0; i < r.rows(); ++i) {
    chat::v1::RoomMember m;
    m.set_kind(r.str(i, 0));
    m.set_id(r.str(i, 1));
    m.set_name(r.str(i, 2));
    m.set_role(r.str(i, 3));
    *m.mutable_joined_at() = rpc::timestamp_from_micros(r.int64(i, 4));
    out.push_back(std::move(m));
  }
  return out;
}

std::pair<std::string, std::int64_t> RoomRepository::create_invite(const std::string& room_id,
                                                                   const std::string& token_hash,
                                                                   const std::string& created_by,
                                                                   int ttl_seconds) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kCreateInvite,
                            {room_id, token_hash, created_by, std::to_string(ttl_seconds)});
  return {r.str(0, 0), r.int64(0, 1)};
}

bool RoomRepository::revoke_invite(const std::string& room_id, const std::string& invite_id) {
  auto connection = pool_.acquire();
  return connection->exec(kRevokeInvite, {room_id, invite_id}).affected() > 0;
}

std::optional<InviteTarget> RoomRepository::find_invite(const std::string& token_hash) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kFindInvite, {token_hash});
  if (r.rows() == 0) return std::nullopt;
  return InviteTarget{r.str(0, 0), r.str(0, 1)};
}

void RoomRepository::set_bot(const std::string& room_id, const std::string& bot_id) {
  auto connection = pool_.acquire();
  connection->exec(kSetBot, {room_id, bot_id.empty() ? std::string(kNilBot) : bot_id});
}

}  // namespace botfactory::channel
