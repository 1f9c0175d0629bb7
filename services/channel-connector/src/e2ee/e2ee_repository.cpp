#include "e2ee/e2ee_repository.hpp"

#include <set>
#include <utility>

#include "botfactory/pg/pool.hpp"

namespace botfactory::channel {
namespace {

#define BF_DEVICE_COLUMNS "user_id, device_id, public_key, (extract(epoch from created_at) * 1000000)::bigint"

constexpr const char* kCountDevices =
    "SELECT count(*) FROM chat.e2ee_devices WHERE tenant_id = $1 AND user_id = $2";
constexpr const char* kInsertDevice =
    "INSERT INTO chat.e2ee_devices (tenant_id, user_id, device_id, public_key) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr const char* kGetDevice =
    "SELECT " BF_DEVICE_COLUMNS " FROM chat.e2ee_devices "
    "WHERE tenant_id = $1 AND user_id = $2 AND device_id = $3";
constexpr const char* kDevices =
    "SELECT " BF_DEVICE_COLUMNS " FROM chat.e2ee_devices WHERE tenant_id = $1 AND user_id = $2 "
    "ORDER BY created_at, device_id LIMIT 100";
constexpr const char* kRoomState =
    "SELECT r.e2ee, r.key_epoch, COALESCE((SELECT e.key_id FROM chat.e2ee_room_epochs e "
    "WHERE e.room_id = r.conversation_id AND e.epoch = r.key_epoch), ''), "
    "EXISTS (SELECT 1 FROM chat.room_members m WHERE m.room_id = r.conversation_id "
    "AND m.member_kind = 'user' AND m.member_id = $3) "
    "FROM chat.rooms r WHERE r.conversation_id = $2 AND r.tenant_id = $1";
constexpr const char* kConversationState =
    "SELECT r.e2ee, r.key_epoch, COALESCE((SELECT e.key_id FROM chat.e2ee_room_epochs e "
    "WHERE e.room_id = r.conversation_id AND e.epoch = r.key_epoch), '') "
    "FROM chat.rooms r WHERE r.conversation_id = $1";
constexpr const char* kMemberDevices =
    "SELECT d.user_id, d.device_id, d.public_key, (extract(epoch from d.created_at) * 1000000)::bigint, "
    "EXISTS (SELECT 1 FROM chat.e2ee_room_key_wraps w WHERE w.room_id = m.room_id AND w.epoch = $3 "
    "AND w.user_id = d.user_id AND w.device_id = d.device_id) "
    "FROM chat.room_members m JOIN chat.e2ee_devices d ON d.tenant_id = $1 AND d.user_id = m.member_id "
    "WHERE m.room_id = $2 AND m.member_kind = 'user' ORDER BY d.user_id, d.created_at, d.device_id "
    "LIMIT 2000";
constexpr const char* kWrapsFor =
    "SELECT w.epoch, e.key_id, w.wrapped_key, w.wrapped_by_user, w.wrapped_by_device, "
    "COALESCE(d.public_key, ''), COALESCE((extract(epoch from d.created_at) * 1000000)::bigint, 0) "
    "FROM chat.e2ee_room_key_wraps w JOIN chat.e2ee_room_epochs e ON e.room_id = w.room_id "
    "AND e.epoch = w.epoch LEFT JOIN chat.e2ee_devices d ON d.tenant_id = $1 "
    "AND d.user_id = w.wrapped_by_user AND d.device_id = w.wrapped_by_device "
    "WHERE w.room_id = $2 AND w.user_id = $3 AND w.device_id = $4 ORDER BY w.epoch";
constexpr const char* kLockRoom =
    "SELECT e2ee, key_epoch, EXISTS (SELECT 1 FROM chat.room_members m WHERE m.room_id = $2 "
    "AND m.member_kind = 'user' AND m.member_id = $3) "
    "FROM chat.rooms WHERE conversation_id = $2 AND tenant_id = $1 FOR SHARE";
constexpr const char* kFixKeyId =
    "INSERT INTO chat.e2ee_room_epochs (room_id, epoch, key_id, created_by_user, created_by_device) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
constexpr const char* kKeyIdOf =
    "SELECT key_id FROM chat.e2ee_room_epochs WHERE room_id = $1 AND epoch = $2";
constexpr const char* kCurrentMemberDevices =
    "SELECT d.user_id, d.device_id FROM chat.room_members m JOIN chat.e2ee_devices d "
    "ON d.tenant_id = $1 AND d.user_id = m.member_id WHERE m.room_id = $2 AND m.member_kind = 'user'";
constexpr const char* kInsertWrap =
    "INSERT INTO chat.e2ee_room_key_wraps (room_id, epoch, user_id, device_id, wrapped_key, "
    "wrapped_by_user, wrapped_by_device) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";

#undef BF_DEVICE_COLUMNS

E2eeDeviceRow read_device(const pg::Result& r, int row) {
  return E2eeDeviceRow{r.str(row, 0), r.str(row, 1), r.str(row, 2), r.int64(row, 3)};
}

}  // namespace

E2eeRepository::E2eeRepository(pg::Pool& pool) : pool_(pool) {}

std::optional<E2eeDeviceRow> E2eeRepository::put_device(const std::string& tenant_id,
                                                        const std::string& user_id,
                                                        const std::string& device_id,
                                                        const std::string& public_key,
                                                        int max_devices) {
  auto connection = pool_.acquire();
  auto existing = connection->exec(kGetDevice, {tenant_id, user_id, device_id});
  if (existing.rows() > 0) return read_device(existing, 0);
  if (connection->exec(kCountDevices, {tenant_id, user_id}).int64(0, 0) >= max_devices) {
    return std::nullopt;
  }
  connection->exec(kInsertDevice, {tenant_id, user_id, device_id, public_key});
  return read_device(connection->exec(kGetDevice, {tenant_id, user_id, device_id}), 0);
}

std::vector<E2eeDeviceRow> E2eeRepository::devices(const std::string& tenant_id,
                                                   const std::string& user_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kDevices, {tenant_id, user_id});
  std::vector<E2eeDeviceRow> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_device(r, i));
  return out;
}

std::optional<E2eeRoomState> E2eeRepository::room_state(const std::string& tenant_id,
                                                        const std::string& room_id,
                                                        const std::string& user_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kRoomState, {tenant_id, room_id, user_id});
  if (r.rows() == 0) return std::nullopt;
  return E2eeRoomState{r.boolean(0, 0), static_cast<std::int32_t>(r.int64(0, 1)), r.str(0, 2),
                       r.boolean(0, 3)};
}

std::optional<E2eeRoomState> E2eeRepository::conversation_state(const std::string& conversation_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kConversationState, {conversation_id});
  if (r.rows() == 0) return std::nullopt;
  return E2eeRoomState{r.boolean(0, 0), static_cast<std::int32_t>(r.int64(0, 1)), r.str(0, 2), false};
}

std::vector<E2eeMemberDevice> E2eeRepository::member_devices(const std::string& tenant_id,
                                                             const std::string& room_id,
                                                             std::int32_t epoch) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kMemberDevices, {tenant_id, room_id, std::to_string(epoch)});
  std::vector<E2eeMemberDevice> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(E2eeMemberDevice{read_device(r, i), r.boolean(i, 4)});
  return out;
}

std::vector<E2eeWrapRow> E2eeRepository::wraps_for(const std::string& tenant_id,
                                                   const std::string& room_id,
                                                   const std::string& user_id,
                                                   const std::string& device_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kWrapsFor, {tenant_id, room_id, user_id, device_id});
  std::vector<E2eeWrapRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(E2eeWrapRow{static_cast<std::int32_t>(r.int64(i, 0)), r.str(i, 1), r.str(i, 2),
                              E2eeDeviceRow{r.str(i, 3), r.str(i, 4), r.str(i, 5), r.int64(i, 6)}});
  }
  return out;
}

E2eePutOutcome E2eeRepository::put_wraps(const std::string& tenant_id, const std::string& room_id,
                                         const std::string& user_id,
                                         const std::string& sender_device, std::int32_t epoch,
                                         const std::string& key_id,
                                         const std::vector<E2eeWrapInput>& wraps) {
  using Kind = E2eePutOutcome::Kind;
  E2eePutOutcome out;
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto room = connection->exec(kLockRoom, {tenant_id, room_id, user_id});
  if (room.rows() == 0 || !room.boolean(0, 2)) {
    out.kind = Kind::kNotFound;
    return out;
  }
  out.key_epoch = static_cast<std::int32_t>(room.int64(0, 1));
  if (!room.boolean(0, 0)) {
    out.kind = Kind::kNotE2ee;
    return out;
  }
  if (epoch != out.key_epoch) {
    out.kind = Kind::kStale;
    return out;
  }
  if (connection->exec(kGetDevice, {tenant_id, user_id, sender_device}).rows() == 0) {
    out.kind = Kind::kBadSender;
    return out;
  }
  auto e = std::to_string(epoch);
  connection->exec(kFixKeyId, {room_id, e, key_id, user_id, sender_device});
  out.key_id = connection->exec(kKeyIdOf, {room_id, e}).str(0, 0);
  if (out.key_id != key_id) {
    out.kind = Kind::kConflict;
    return out;
  }
  std::set<std::pair<std::string, std::string>> targets;
  auto current = connection->exec(kCurrentMemberDevices, {tenant_id, room_id});
  for (int i = 0; i < current.rows(); ++i) targets.emplace(current.str(i, 0), current.str(i, 1));
  for (const auto& w : wraps) {
    if (!targets.count({w.user_id, w.device_id})) {
      out.kind = Kind::kBadTarget;
      out.bad_target = w.user_id + "/" + w.device_id;
      return out;  // rolled back, the key id included
    }
  }
  for (const auto& w : wraps) {
    out.stored += static_cast<int>(
        connection->exec(kInsertWrap, {room_id, e, w.user_id, w.device_id, w.wrapped_key, user_id, sender_device})
            .affected());
  }
  tx.commit();
  return out;
}

}  // namespace botfactory::channel
