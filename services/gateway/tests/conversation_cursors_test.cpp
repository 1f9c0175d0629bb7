// ConversationCursors without sockets, hub or services: a fake CursorPort with a byte budget
// records what would be sent and read. Covers replay, ordering, gap fill, re-sync, falling
// behind and catching up (from memory and from storage), one storage read per socket.
#include <catch2/catch.hpp>

#include <map>
#include <optional>

#include "ws/conversation_cursors.hpp"

using namespace botfactory::gateway;

namespace {

/// Frames are "m<seq>" padded to `size` bytes; joined frames "joined:<id>:<last_seq>".
Frame message(std::int64_t seq, std::size_t size = 10) {
  std::string text("m");
  text.append(std::to_string(seq));
  text.resize(std::max(size, text.size()), ' ');
  return std::make_shared<const std::string>(text);
}

struct Fetch {
  std::string id;
  std::int64_t since = 0;
  std::uint64_t generation = 0;
};

class FakePort : public CursorPort {
 public:
  explicit FakePort(std::size_t budget) : budget_(budget) {}

  void send(const Frame& frame) override {
    queued_ += frame->size();
    sent.push_back(*frame);
  }
  bool live_fits(std::size_t bytes) const override { return queued_ + bytes <= budget_; }
  bool replay_fits(std::size_t bytes) const override { return queued_ + bytes <= 2 * budget_; }
  bool drained() const override { return queued_ <= budget_ / 2; }
  void fetch(const std::string& id, std::int64_t since, std::uint64_t generation) override {
    fetches.push_back(Fetch{id, since, generation});
  }
  bool recent_since(const std::string&, std::int64_t since_seq, std::size_t max,
                    std::vector<SeqFrame>& out) override {
    if (!recent_covers) return false;
    for (const auto& [seq, frame] : recent) {
      if (seq > since_seq && out.size() < max) out.push_back(SeqFrame{seq, frame});
    }
    return true;
  }
  Frame joined_frame(const std::string& id, std::int64_t last_seq) override {
    return std::make_shared<const std::string>("joined:" + id + ":" + std::to_string(last_seq));
  }
  void count(Event event, std::size_t n) override { counts[event] += n; }

  /// The client read everything.
  void write_all() { queued_ = 0; }

  /// The seqs sent ("m<seq>" frames) and joined markers, in order, then forgets them.
  std::vector<std::string> take() {
    std::vector<std::string> out;
    for (auto& s : sent) {
      auto end = s.find(' ');
      out.push_back(s.substr(0, end));
    }
    sent.clear();
    return out;
  }

  std::vector<std::string> sent;
  std::vector<Fetch> fetches;
  std::map<std::int64_t, Frame> recent;
  bool recent_covers = true;
  std::map<Event, std::size_t> counts;

 private:
  std::size_t budget_;
  std::size_t queued_ = 0;
};

std::vector<SeqFrame> page_of(std::int64_t first, std::int64_t last, std::size_t size = 10) {
  std::vector<SeqFrame> frames;
  for (auto seq = first; seq <= last; ++seq) frames.push_back(SeqFrame{seq, message(seq, size)});
  return frames;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("a join replays from storage, announces, then streams live frames in seq order") {
  FakePort port(1 << 20);
  ConversationCursors cursors(port, 16, 1024);
  auto generation = cursors.join("c1", 1);
  cursors.live("c1", message(4), 4);  // published while the history is read: buffered
  CHECK(port.fetches.empty());        // nothing read before the subscription is confirmed
  cursors.ready("c1", generation);
  REQUIRE(port.fetches.size() == 1);
  CHECK(port.fetches[0].since == 1);
  auto page = page_of(2, 3);
  cursors.page("c1", generation, page, false);
  CHECK(port.take() == Strings{"m2", "m3", "joined:c1:3", "m4"});
  cursors.live("c1", message(4), 4);  // duplicate publish
  cursors.live("c1", message(5), 5);
  CHECK(port.take() == Strings{"m5"});
  cursors.live("c1", message(1), 0);  // ephemeral (message.delta) goes straight out
  CHECK(port.sent.size() == 1);
}

TEST_CASE("a gap in the live stream is read from storage before the frame that revealed it") {
  FakePort port(1 << 20);
  ConversationCursors cursors(port, 16, 1024);
  auto generation = cursors.join("c1", 0);
  cursors.ready("c1", generation);
  auto empty = page_of(1, 0);
  cursors.page("c1", generation, empty, false);
  port.take();
  cursors.live("c1", message(1), 1);
  cursors.live("c1", message(3), 3);  // seq 2 was never published
  REQUIRE(port.fetches.size() == 2);
  CHECK(port.fetches[1].since == 1);
  auto gap = page_of(2, 2);
  cursors.page("c1", port.fetches[1].generation, gap, false);
  CHECK(port.take() == Strings{"m1", "m2", "m3"});
}

TEST_CASE("stale pages are ignored; a re-sync replays every conversation from last_seq") {
  FakePort port(1 << 20);
  ConversationCursors cursors(port, 16, 1024);
  auto first = cursors.join("c1", 0);
  cursors.ready("c1", first);
  auto second = cursors.join("c1", 5);  // joined again before the first page came back
  auto stale = page_of(1, 3);
  cursors.page("c1", first, stale, false);
  CHECK(port.sent.empty());
  cursors.ready("c1", second);
  REQUIRE(port.fetches.size() == 2);
  CHECK(port.fetches[1].since == 5);
  auto rest = page_of(6, 6);
  cursors.page("c1", second, rest, false);
  CHECK(port.take() == Strings{"m6", "joined:c1:6"});
  cursors.resync();
  REQUIRE(port.fetches.size() == 3);
  CHECK(port.fetches[2].since == 6);
  auto nothing = page_of(1, 0);
  cursors.page("c1", port.fetches[2].generation, nothing, false);
  CHECK(port.sent.empty());  // a re-sync announces nothing
}

TEST_CASE("one storage read per socket: the next conversation waits for the slot") {
  FakePort port(1 << 20);
  ConversationCursors cursors(port, 16, 1024);
  auto g1 = cursors.join("c1", 0);
  auto g2 = cursors.join("c2", 0);
  cursors.ready("c1", g1);
  cursors.ready("c2", g2);
  REQUIRE(port.fetches.size() == 1);
  auto page = page_of(1, 1);
  cursors.page("c1", g1, page, false);
  REQUIRE(port.fetches.size() == 2);
  CHECK(port.fetches[1].id == "c2");
  CHECK(cursors.fetch_failed("c2", g2));  // the read failed: c2 is dropped
  CHECK_FALSE(cursors.contains("c2"));
  CHECK(cursors.contains("c1"));
}

TEST_CASE("a socket that falls behind skips live frames and catches up from memory") {
  FakePort port(100);  // room for 10 frames of 10 bytes
  ConversationCursors cursors(port, 16, 1024);
  auto generation = cursors.join("c1", 0);
  cursors.ready("c1", generation);
  auto empty = page_of(1, 0);
  cursors.page("c1", generation, empty, false);
  port.write_all();
  port.take();
  for (std::int64_t seq = 1; seq <= 30; ++seq) {
    port.recent[seq] = message(seq);
    cursors.live("c1", message(seq), seq);
  }
  CHECK(port.counts[CursorPort::Event::kLagging] == 1);
  auto sent = port.take();
  CHECK(sent.size() == 10);
  CHECK(sent.back() == "m10");
  cursors.live("c1", message(0), 0);  // a delta while full is dropped
  CHECK(port.counts[CursorPort::Event::kDeltaDropped] == 1);
  port.write_all();
  cursors.drained();
  CHECK(port.take() == Strings{"m11", "m12", "m13", "m14", "m15", "m16", "m17", "m18", "m19",
                               "m20"});
  port.write_all();
  cursors.drained();
  port.write_all();
  cursors.drained();
  sent = port.take();
  CHECK(sent.back() == "m30");
  CHECK(port.counts[CursorPort::Event::kCatchupMemoryFrames] == 20);
  cursors.live("c1", message(31), 31);  // caught up: live again
  CHECK(port.take() == Strings{"m31"});
  CHECK(port.fetches.size() == 1);  // no storage read was needed
}

TEST_CASE("when memory no longer covers the gap the catch-up reads storage") {
  FakePort port(100);
  ConversationCursors cursors(port, 16, 1024);
  auto generation = cursors.join("c1", 0);
  cursors.ready("c1", generation);
  auto empty = page_of(1, 0);
  cursors.page("c1", generation, empty, false);
  port.write_all();
  for (std::int64_t seq = 1; seq <= 20; ++seq) cursors.live("c1", message(seq), seq);
  port.take();
  port.recent_covers = false;
  port.write_all();
  cursors.drained();
  CHECK(port.counts[CursorPort::Event::kCatchupStorage] == 1);
  REQUIRE(port.fetches.size() == 2);
  CHECK(port.fetches[1].since == 10);
  auto page = page_of(11, 20);
  cursors.page("c1", port.fetches[1].generation, page, false);
  CHECK(port.take().back() == "m20");
}

TEST_CASE("a replay page that would pass the hard cap is cut and read on later") {
  FakePort port(100);  // replay_fits up to 200 bytes
  ConversationCursors cursors(port, 16, 1024);
  auto generation = cursors.join("c1", 0);
  cursors.ready("c1", generation);
  auto page = page_of(1, 50, 10);
  cursors.page("c1", generation, page, false);
  CHECK(port.take().size() == 20);  // 200 bytes; the rest is not held
  CHECK(port.fetches.size() == 1);  // the next page waits for the queue to drain
  port.write_all();
  cursors.drained();
  REQUIRE(port.fetches.size() == 2);
  CHECK(port.fetches[1].since == 20);
}

TEST_CASE("live frames buffered during a replay are bounded; past the bound it falls behind") {
  FakePort port(1 << 20);
  ConversationCursors cursors(port, 16, 4);
  auto generation = cursors.join("c1", 0);
  for (std::int64_t seq = 1; seq <= 4; ++seq) cursors.live("c1", message(seq), seq);
  CHECK(cursors.buffered_bytes() == 40);
  cursors.live("c1", message(5), 5);
  CHECK(cursors.buffered_bytes() == 0);
  CHECK(port.counts[CursorPort::Event::kLagging] == 1);
  cursors.ready("c1", generation);
  auto page = page_of(1, 2);
  port.recent = {{3, message(3)}, {4, message(4)}, {5, message(5)}};
  cursors.page("c1", generation, page, false);
  CHECK(port.take() == Strings{"m1", "m2", "joined:c1:2", "m3", "m4", "m5"});
}

TEST_CASE("a socket joins at most max_conversations; leave and clear forget") {
  FakePort port(1 << 20);
  ConversationCursors cursors(port, 2, 16);
  cursors.join("c1", 0);
  cursors.join("c2", 0);
  CHECK(cursors.full_for("c3"));
  CHECK_FALSE(cursors.full_for("c1"));  // joining again is allowed
  CHECK(cursors.leave("c1"));
  CHECK_FALSE(cursors.leave("c1"));
  CHECK_FALSE(cursors.full_for("c3"));
  CHECK(cursors.clear() == Strings{"c2"});
  CHECK(cursors.size() == 0);
}
