// IngestLanes and IngestLimiter (ws/ingest_lanes.hpp, ws/ingest_limiter.hpp): the message.send
// rules without I/O — order per conversation, the gateway-wide and per-socket bounds, the wait
// bound — with injected times (no sleeps).
#include <catch2/catch.hpp>

#include "botfactory/metrics/registry.hpp"
#include "ws/ingest_lanes.hpp"
#include "ws/ingest_limiter.hpp"

using botfactory::gateway::ClientFrame;
using botfactory::gateway::IngestLanes;
using botfactory::gateway::IngestLimiter;
using namespace std::chrono_literals;

namespace {

using Verdict = IngestLanes::Verdict;

ClientFrame send(const std::string& conversation, const std::string& client_id) {
  ClientFrame frame;
  frame.type = ClientFrame::Type::kSend;
  frame.conversation_id = conversation;
  frame.client_id = client_id;
  frame.text = "hi";
  return frame;
}

std::uint64_t rejected(const char* reason) {
  return botfactory::metrics::Registry::global()
      .counter("gateway_ingest_rejected_total", "", std::string("reason=\"") + reason + "\"")
      .value();
}

std::vector<std::string> ids(const std::vector<ClientFrame>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) out.push_back(f.client_id);
  return out;
}

const auto t0 = IngestLanes::Clock::time_point{} + 10s;

}  // namespace

TEST_CASE("ingest lanes: one call per conversation on the wire, the rest start in send order") {
  IngestLimiter limiter(100, 1000ms);
  IngestLanes lanes(limiter, 10, 1000ms);
  CHECK(lanes.admit(send("a", "1"), t0).verdict == Verdict::kStart);
  CHECK(lanes.admit(send("a", "2"), t0).verdict == Verdict::kWaiting);
  CHECK(lanes.admit(send("a", "3"), t0).verdict == Verdict::kWaiting);
  auto other = lanes.admit(send("b", "x"), t0);  // another conversation is not held up
  CHECK(other.verdict == Verdict::kStart);
  CHECK(other.frame.client_id == "x");
  CHECK(lanes.held() == 4);
  CHECK(limiter.in_flight() == 4);

  auto next = lanes.finished("a", t0 + 5ms);
  CHECK(next.refused.empty());
  CHECK(ids(next.start) == std::vector<std::string>{"2"});
  CHECK(lanes.held() == 3);
  CHECK(ids(lanes.finished("a", t0 + 6ms).start) == std::vector<std::string>{"3"});
  CHECK(lanes.finished("a", t0 + 7ms).start.empty());
  CHECK(lanes.finished("b", t0 + 7ms).start.empty());
  CHECK(lanes.held() == 0);
  CHECK(limiter.in_flight() == 0);
  // An answer for a conversation with nothing on the wire changes nothing.
  CHECK(lanes.finished("a", t0 + 8ms).start.empty());
  CHECK(limiter.in_flight() == 0);
  CHECK(lanes.admit(send("a", "4"), t0 + 9ms).verdict == Verdict::kStart);
}

TEST_CASE("ingest lanes: the socket pauses at its bound and resumes when one is answered") {
  IngestLimiter limiter(100, 1000ms);
  IngestLanes lanes(limiter, 2, 1000ms);
  CHECK_FALSE(lanes.paused());
  (void)lanes.admit(send("a", "1"), t0);
  CHECK_FALSE(lanes.paused());
  (void)lanes.admit(send("b", "2"), t0);
  CHECK(lanes.paused());
  // What one read already carried is still taken (never dropped).
  CHECK(lanes.admit(send("a", "3"), t0).verdict == Verdict::kWaiting);
  CHECK(lanes.held() == 3);
  (void)lanes.finished("b", t0 + 1ms);
  CHECK(lanes.paused());
  auto next = lanes.finished("a", t0 + 1ms);
  CHECK(ids(next.start) == std::vector<std::string>{"3"});
  CHECK_FALSE(lanes.paused());
}

TEST_CASE("ingest limiter: the gateway-wide bound refuses with a retry hint across sockets") {
  IngestLimiter limiter(2, 700ms);
  IngestLanes first(limiter, 8, 1000ms);
  IngestLanes second(limiter, 8, 1000ms);
  auto before = rejected("in_flight");
  CHECK(first.admit(send("a", "1"), t0).verdict == Verdict::kStart);
  CHECK(first.admit(send("a", "2"), t0).verdict == Verdict::kWaiting);  // waiting counts too
  auto refused = second.admit(send("b", "3"), t0);
  CHECK(refused.verdict == Verdict::kRefused);
  CHECK(refused.frame.client_id == "3");  // handed back for the error frame
  CHECK(second.retry_after_ms() == 700);
  CHECK(rejected("in_flight") == before + 1);
  CHECK(second.held() == 0);
  (void)first.finished("a", t0 + 1ms);
  CHECK(second.admit(send("b", "3"), t0 + 2ms).verdict == Verdict::kStart);
  CHECK(limiter.in_flight() == 2);
}

TEST_CASE("ingest lanes: a message that waited past the bound is refused, order kept behind it") {
  IngestLimiter limiter(100, 1000ms);
  IngestLanes lanes(limiter, 10, 200ms);
  auto before = rejected("queue_wait");
  (void)lanes.admit(send("a", "1"), t0);
  (void)lanes.admit(send("a", "2"), t0);
  (void)lanes.admit(send("a", "3"), t0 + 150ms);
  REQUIRE(lanes.next_expiry().has_value());
  CHECK(*lanes.next_expiry() == t0 + 200ms);
  CHECK(lanes.expire(t0 + 200ms).refused.empty());  // exactly the bound: still waits

  auto expired = lanes.expire(t0 + 201ms);  // "1" still on the wire: only "2" goes
  CHECK(ids(expired.refused) == std::vector<std::string>{"2"});
  CHECK(expired.start.empty());
  CHECK(rejected("queue_wait") == before + 1);
  CHECK(*lanes.next_expiry() == t0 + 350ms);
  CHECK(lanes.held() == 2);

  auto next = lanes.finished("a", t0 + 300ms);  // "3" waited 150 ms: it starts
  CHECK(next.refused.empty());
  CHECK(ids(next.start) == std::vector<std::string>{"3"});
  CHECK_FALSE(lanes.next_expiry().has_value());
  (void)lanes.finished("a", t0 + 301ms);
  CHECK(limiter.in_flight() == 0);
}

TEST_CASE("ingest lanes: an answer after the bound refuses the expired waiters, starts the next") {
  IngestLimiter limiter(100, 1000ms);
  IngestLanes lanes(limiter, 10, 200ms);
  (void)lanes.admit(send("a", "1"), t0);
  (void)lanes.admit(send("a", "2"), t0);
  (void)lanes.admit(send("a", "3"), t0 + 250ms);
  auto next = lanes.finished("a", t0 + 300ms);
  CHECK(ids(next.refused) == std::vector<std::string>{"2"});
  CHECK(ids(next.start) == std::vector<std::string>{"3"});
  CHECK(lanes.held() == 1);
}

TEST_CASE("ingest lanes: closing drops the waiting messages and their slots; calls keep theirs") {
  IngestLimiter limiter(100, 1000ms);
  {
    IngestLanes lanes(limiter, 10, 1000ms);
    (void)lanes.admit(send("a", "1"), t0);
    (void)lanes.admit(send("a", "2"), t0);
    (void)lanes.admit(send("b", "3"), t0);
    lanes.clear();
    CHECK(lanes.held() == 2);
    CHECK(limiter.in_flight() == 2);
    CHECK(lanes.finished("a", t0 + 1ms).start.empty());  // "2" is gone
    CHECK(limiter.in_flight() == 1);
  }
  CHECK(limiter.in_flight() == 0);  // destroyed with "b" unanswered: its slot came back
}
