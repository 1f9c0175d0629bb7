// OutboundQueue without a socket: the per-socket byte budget, the hard cap, pong coalescing and
// the close frame.
#include <catch2/catch.hpp>

#include "ws/outbound_queue.hpp"

using namespace botfactory::gateway;

namespace {

Frame frame_of(std::size_t size) { return std::make_shared<const std::string>(size, 'x'); }

/// Writes everything queued, as the session does, batch by batch.
std::vector<WsOpcode> drain(OutboundQueue& queue) {
  std::vector<WsOpcode> written;
  for (auto batch = queue.take_batch(2); !batch.empty(); batch = queue.take_batch(2)) {
    for (const auto& f : batch) written.push_back(f.opcode);
    queue.batch_written();
  }
  return written;
}

}  // namespace

TEST_CASE("every frame is counted with its overhead until it is written") {
  OutboundQueue queue(1000, 4000);
  REQUIRE(queue.push(frame_of(100)));
  REQUIRE(queue.push(frame_of(0)));
  CHECK(queue.bytes() == 100 + 2 * OutboundQueue::kFrameOverhead);
  CHECK(queue.frames() == 2);
  auto batch = queue.take_batch(1);
  REQUIRE(batch.size() == 1);
  CHECK(queue.in_flight());
  CHECK(queue.take_batch(1).empty());  // one batch in flight at a time
  CHECK(queue.bytes() == 100 + 2 * OutboundQueue::kFrameOverhead);  // in flight still counts
  queue.batch_written();
  CHECK(queue.bytes() == OutboundQueue::kFrameOverhead);
  CHECK(drain(queue).size() == 1);
  CHECK(queue.bytes() == 0);
  CHECK(queue.empty());
  CHECK(queue.peak() == 100 + 2 * OutboundQueue::kFrameOverhead);
}

TEST_CASE("the budget says what fits; the hard cap refuses") {
  OutboundQueue queue(1000, 2000);
  CHECK(queue.fits(1000 - OutboundQueue::kFrameOverhead));
  CHECK_FALSE(queue.fits(1001 - OutboundQueue::kFrameOverhead));
  REQUIRE(queue.push(frame_of(900)));
  CHECK_FALSE(queue.over_budget());
  CHECK_FALSE(queue.drained());
  REQUIRE(queue.push(frame_of(900)));
  CHECK(queue.over_budget());
  CHECK_FALSE(queue.push(frame_of(200)));  // 1928 + 264 > 2000: refused, not counted
  CHECK(queue.bytes() == 2 * (900 + OutboundQueue::kFrameOverhead));
  CHECK(queue.bytes() <= queue.hard_cap());
  drain(queue);
  CHECK(queue.drained());
}

TEST_CASE("a flood of pings holds one pong, answering the latest ping") {
  OutboundQueue queue(1000, 2000);
  for (int i = 0; i < 10000; ++i) REQUIRE(queue.push_pong("ping " + std::to_string(i)));
  CHECK(queue.frames() == 1);
  CHECK(queue.bytes() == std::string("ping 9999").size() + OutboundQueue::kFrameOverhead);
  auto batch = queue.take_batch(8);
  REQUIRE(batch.size() == 1);
  CHECK(*batch[0].payload == "ping 9999");
  // A ping while that pong is being written gets a pong of its own (and only one).
  REQUIRE(queue.push_pong("a"));
  REQUIRE(queue.push_pong("b"));
  CHECK(queue.frames() == 2);
  queue.batch_written();
  batch = queue.take_batch(8);
  REQUIRE(batch.size() == 1);
  CHECK(*batch[0].payload == "b");
}

TEST_CASE("close drops waiting frames, keeps the batch in flight and refuses more") {
  OutboundQueue queue(1000, 4000);
  REQUIRE(queue.push(frame_of(10)));
  REQUIRE(queue.take_batch(8).size() == 1);
  REQUIRE(queue.push(frame_of(500)));
  REQUIRE(queue.push_pong("p"));
  queue.close("\x03\xE8");
  CHECK(queue.closed());
  CHECK(queue.frames() == 2);  // the batch in flight and the close frame
  CHECK_FALSE(queue.push(frame_of(1)));
  CHECK_FALSE(queue.push_pong("q"));
  queue.batch_written();
  auto written = drain(queue);
  REQUIRE(written.size() == 1);
  CHECK(written[0] == WsOpcode::kClose);
  CHECK(queue.bytes() == 0);
}
