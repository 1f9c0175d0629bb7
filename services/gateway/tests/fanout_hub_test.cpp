// FanoutHub without Redis: a subscriber that is never started (so never connected) and
// payloads handed to handle_message() directly. Covers the recent-frames window that sockets
// which fell behind catch up from.
#include <catch2/catch.hpp>

#include <optional>

#include <boost/asio/io_context.hpp>

#include "botfactory/redis/subscriber.hpp"
#include "fanout/fanout_hub.hpp"
#include "ws/room_frames.hpp"

using namespace botfactory;
using gateway::FanoutHub;
using gateway::SeqFrame;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kChannel = "chat:conv:c1";

struct Recorder : gateway::ConversationWatcher {
  std::vector<std::int64_t> seqs;
  std::vector<std::optional<gateway::MembershipEnd>> ended;  // per event
  void on_event(const gateway::ConversationId&, const gateway::Frame&, std::int64_t seq,
                const gateway::MembershipEnd* end) override {
    seqs.push_back(seq);
    ended.push_back(end ? std::optional(*end) : std::nullopt);
  }
  void on_resync() override {}
};

std::string message_new(std::int64_t seq) {
  return R"({"type":"message.new","conversation_id":"c1","seq":)" + std::to_string(seq) +
         R"(,"message":{"text":"m)" + std::to_string(seq) + R"("}})";
}

struct HubFixture {
  boost::asio::io_context io;
  redis::Subscriber subscriber{io, redis::SubscriberOptions{}};
  FanoutHub hub;
  std::shared_ptr<Recorder> watcher = std::make_shared<Recorder>();

  explicit HubFixture(gateway::RecentWindow window) : hub(subscriber, window) {
    bool ready = false;
    hub.watch("c1", watcher, [&] { ready = true; });
    REQUIRE(ready);  // not connected: ready at once
  }
  ~HubFixture() { hub.stop(); }

  void publish(std::int64_t seq) { hub.handle_message(kChannel, message_new(seq)); }

  /// recent_since as a list of seqs; nullopt when the hub cannot prove it has everything.
  std::optional<std::vector<std::int64_t>> since(std::int64_t seq, std::size_t max = 100) {
    std::vector<SeqFrame> frames;
    if (!hub.recent_since("c1", seq, max, frames)) {
      CHECK(frames.empty());
      return std::nullopt;
    }
    std::vector<std::int64_t> seqs;
    for (const auto& f : frames) {
      CHECK(*f.frame == message_new(f.seq));
      seqs.push_back(f.seq);
    }
    return seqs;
  }
};

using Seqs = std::vector<std::int64_t>;

}  // namespace

TEST_CASE("the hub keeps recent message.new frames in seq order") {
  HubFixture f({16, 30s});
  for (int seq = 2; seq <= 6; ++seq) f.publish(seq);
  f.hub.handle_message(kChannel, R"({"type":"message.delta","conversation_id":"c1"})");
  CHECK(f.watcher->seqs == Seqs{2, 3, 4, 5, 6, 0});
  CHECK(f.since(1) == Seqs{2, 3, 4, 5, 6});
  CHECK(f.since(3, 2) == Seqs{4, 5});
  CHECK(f.since(6) == Seqs{});  // nothing newer was published
  // seq 1 was never seen here (committed before the subscription): not provable from memory.
  CHECK_FALSE(f.since(0).has_value());
  std::vector<SeqFrame> frames;
  CHECK_FALSE(f.hub.recent_since("not-watched", 1, 10, frames));
}

TEST_CASE("a seq missing in between sends the caller to storage") {
  HubFixture f({16, 30s});
  f.publish(2);
  f.publish(3);
  f.publish(5);  // 4 never reached this replica
  f.publish(4);  // ... or arrives late: not kept out of order
  CHECK(f.since(1) == std::nullopt);
  CHECK(f.since(3) == std::nullopt);
  CHECK(f.since(4) == Seqs{5});
  f.publish(5);  // a duplicate publish is not kept twice
  CHECK(f.since(4) == Seqs{5});
}

TEST_CASE("the window keeps at most max_frames, none older than max_age") {
  HubFixture f({3, 30s});
  for (int seq = 2; seq <= 200; ++seq) f.publish(seq);
  CHECK(f.since(197) == Seqs{198, 199, 200});
  CHECK_FALSE(f.since(196).has_value());  // 197 was evicted
  CHECK_FALSE(f.since(2).has_value());

  f.hub.expire(FanoutHub::Clock::now() + 29s);
  CHECK(f.since(197) == Seqs{198, 199, 200});
  f.hub.expire(FanoutHub::Clock::now() + 31s);
  CHECK_FALSE(f.since(199).has_value());  // everything expired
  CHECK(f.since(200) == Seqs{});  // nothing after 200 was published
  f.publish(201);
  CHECK(f.since(200) == Seqs{201});
}

TEST_CASE("max_frames 0 keeps nothing and never claims to be complete") {
  HubFixture f({0, 30s});
  f.publish(2);
  f.publish(3);
  CHECK_FALSE(f.since(1).has_value());
  CHECK_FALSE(f.since(2).has_value());
  CHECK(f.since(3) == Seqs{});
  CHECK(f.watcher->seqs == Seqs{2, 3});  // delivery is unaffected
}

TEST_CASE("the window goes when the last watcher leaves") {
  HubFixture f({16, 30s});
  f.publish(2);
  CHECK(f.since(1) == Seqs{2});
  f.hub.unwatch("c1", f.watcher.get());
  CHECK_FALSE(f.since(1).has_value());
  CHECK(f.hub.conversation_count() == 0);
}

TEST_CASE("the hub decides once per frame whose room membership it ends, for every watcher") {
  HubFixture f({});
  auto second = std::make_shared<Recorder>();
  f.hub.watch("c1", second, [] {});
  auto event = [](std::int64_t seq, const char* name, const char* kind, const char* id) {
    return R"({"type":"message.new","conversation_id":"c1","seq":)" + std::to_string(seq) +
           R"(,"message":{"id":"m","sender":{"kind":")" + kind + R"(","id":")" + id +
           R"(","name":"N"},"text":"","event":")" + name + R"("}})";
  };
  f.hub.handle_message(kChannel, event(1, "member.left", "visitor", "v_1"));
  f.hub.handle_message(kChannel, event(2, "member.removed", "operator", "u7"));
  f.hub.handle_message(kChannel, event(3, "member.joined", "visitor", "v_2"));
  f.publish(4);  // a plain message
  // The marker inside a message's text is no event.
  f.hub.handle_message(kChannel, R"({"type":"message.new","conversation_id":"c1","seq":5,"message":{"sender":{"kind":"visitor","id":"v_1"},"text":"\"event\":\"member.left\""}})");
  // Typing (no seq) is never a membership end.
  f.hub.handle_message(kChannel, R"({"type":"typing","conversation_id":"c1","state":"start"})");
  for (const auto& w : {f.watcher, second}) {
    REQUIRE(w->ended.size() == 6);
    REQUIRE(w->ended[0]);
    CHECK(w->ended[0]->kind == "visitor");
    CHECK(w->ended[0]->id == "v_1");
    REQUIRE(w->ended[1]);
    CHECK(w->ended[1]->kind == "operator");
    CHECK(w->ended[1]->id == "u7");
    for (std::size_t i = 2; i < 6; ++i) CHECK_FALSE(w->ended[i]);
  }
  // What the socket then does with it: only the member named leaves.
  gateway::RoomPresenceMember visitor{"visitor", "v_1", "V"};
  gateway::RoomPresenceMember user{"user", "u7", "U"};
  CHECK(gateway::ends_membership_of(*f.watcher->ended[0], visitor));
  CHECK_FALSE(gateway::ends_membership_of(*f.watcher->ended[0], user));
  CHECK(gateway::ends_membership_of(*f.watcher->ended[1], user));
  CHECK_FALSE(gateway::ends_membership_of(*f.watcher->ended[1], visitor));
}
