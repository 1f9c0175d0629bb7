// roomcore: one publish order per conversation. Messages (committer lanes), room membership
// events and edit / delete events all reach Redis in seq order, because the other writers
// hold the conversation's commit lane (AppendCommitter::Gate) while they commit and publish.
// A subscriber on one room while posts, edits and joins / leaves race sees strictly rising
// seq and every seq once. Real PostgreSQL and Redis.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "botfactory/pg/pool.hpp"
#include "chat/chat_service.hpp"
#include "fake_services.hpp"
#include "chat/message_edits.hpp"
#include "rooms/room_service.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;

TEST_CASE("publish order: messages, membership and edit events of one room reach Redis in seq order") {
  Harness h;
  auto& rooms = h.rooms();
  std::string tenant = random_uuid();
  Actor owner{tenant, "user", random_uuid(), "olga"};
  auto room = rooms.create(owner, "Busy", "", "public");
  std::vector<Actor> posters;
  for (int i = 0; i < 3; ++i) {
    posters.push_back(Actor{tenant, "user", random_uuid(), "p" + std::to_string(i)});
    rooms.join(posters.back(), room.id(), "");
  }
  auto listener = h.listen(room.id());
  constexpr int kPosts = 40;

  std::vector<std::thread> threads;
  std::mutex own_mutex;
  std::vector<std::pair<Actor, std::int64_t>> own;  // posts the editor may change
  for (const auto& p : posters) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPosts; ++i) {
        auto seq = rooms.post(p, room.id(), p.name + "-" + std::to_string(i), "m" + std::to_string(i))
                       .message()
                       .seq();
        std::lock_guard lock(own_mutex);
        own.emplace_back(p, seq);
      }
    });
  }
  std::atomic<bool> posting{true};
  threads.emplace_back([&] {  // edits and deletes of the posts as they arrive
    std::size_t next = 0;
    while (posting) {
      std::optional<std::pair<Actor, std::int64_t>> target;
      {
        std::lock_guard lock(own_mutex);
        if (next < own.size()) target = own[next++];
      }
      if (!target) {
        std::this_thread::yield();
        continue;
      }
      EditActor who{commonv1::SENDER_KIND_OPERATOR, target->first.id};
      if (target->second % 3 == 0) {
        h.edits().remove(tenant, room.id(), target->second, who);
      } else {
        h.edits().edit(tenant, room.id(), target->second, who, "edited");
      }
    }
  });
  threads.emplace_back([&] {  // members joining and leaving
    for (int i = 0; i < 15; ++i) {
      Actor guest{tenant, "user", random_uuid(), "g" + std::to_string(i)};
      rooms.join(guest, room.id(), "");
      rooms.leave(guest, room.id());
    }
  });
  for (std::size_t i = 0; i < posters.size(); ++i) threads[i].join();
  posting = false;
  for (std::size_t i = posters.size(); i < threads.size(); ++i) threads[i].join();

  std::int64_t last = 0;
  {
    auto connection = h.pool().acquire();
    last = connection->exec("SELECT last_seq FROM chat.conversations WHERE id = $1", {room.id()})
               .int64(0, 0);
  }
  std::int64_t first = 1 + static_cast<std::int64_t>(posters.size()) + 1;  // after the joins
  std::vector<std::int64_t> seen;
  while (seen.empty() || seen.back() < last) {
    auto frame = listener->next();
    REQUIRE(frame);  // every seq is published (10 s bound per frame)
    auto parsed = boost::json::parse(*frame).as_object();
    if (!parsed.contains("seq")) continue;  // ephemeral frames
    seen.push_back(parsed.at("seq").as_int64());
    if (seen.size() > 10000) break;
  }
  INFO("frames " << seen.size() << ", last seq " << last);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.front() == first);
  std::int64_t out_of_order = 0;
  for (std::size_t i = 1; i < seen.size(); ++i) out_of_order += seen[i] == seen[i - 1] + 1 ? 0 : 1;
  CHECK(out_of_order == 0);
  CHECK(static_cast<std::int64_t>(seen.size()) == last - first + 1);
}
