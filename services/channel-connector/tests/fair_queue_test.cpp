// The fair scheduler without threads or I/O: ordering, bounds, running caps.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pipeline/fair_queue.hpp"
#include "pipeline/pipeline_dispatcher.hpp"

using namespace botfactory::channel;

namespace {

/// A queue whose jobs record their label in `log` when run.
struct Recorder {
  std::vector<std::string> log;
  FairQueue::Job job(std::string label) {
    return [this, label = std::move(label)] { log.push_back(label); };
  }
};

/// Pops and runs one job, marking it done at once; the key, or "" when nothing was ready.
std::string step(FairQueue& queue) {
  auto taken = queue.pop();
  if (!taken) return "";
  taken->job();
  queue.done(taken->key);
  return taken->key;
}

}  // namespace

TEST_CASE("a tenant's job is dispatched among the next 2 while another tenant holds 1000") {
  Recorder r;
  FairQueue queue({2000, 1000, 2});
  for (int i = 0; i < 1000; ++i) REQUIRE(queue.push("A", r.job("A")) == FairQueue::Refusal::kNone);
  // A few of A's jobs already went out before B arrives.
  for (int i = 0; i < 10; ++i) CHECK(step(queue) == "A");
  REQUIRE(queue.push("B", r.job("B")) == FairQueue::Refusal::kNone);
  std::vector<std::string> next{step(queue), step(queue)};
  CHECK((next[0] == "B" || next[1] == "B"));
  CHECK(queue.queued("B") == 0);
  CHECK(queue.queued() == 989);
}

TEST_CASE("with n tenants waiting, a newcomer's job comes within the next n+1 dispatches") {
  FairQueue queue({100000, 1000, 4});
  Recorder r;
  const std::vector<std::string> flooders{"A", "B", "C", "D", "E"};
  for (const auto& key : flooders) {
    for (int i = 0; i < 1000; ++i) REQUIRE(queue.push(key, r.job(key)) == FairQueue::Refusal::kNone);
  }
  for (int i = 0; i < 37; ++i) step(queue);  // the rotation is somewhere in the middle
  REQUIRE(queue.push("Z", r.job("Z")) == FairQueue::Refusal::kNone);
  int position = 0;
  for (int i = 1; i <= 6 && position == 0; ++i) {
    if (step(queue) == "Z") position = i;
  }
  CHECK(position >= 1);
  CHECK(position <= 6);
}

TEST_CASE("tenants with waiting jobs are served in strict rotation, each in FIFO order") {
  FairQueue queue({100, 100, 1});
  std::vector<std::string> ran;
  auto job = [&](std::string label) { return [&ran, label] { ran.push_back(label); }; };
  REQUIRE(queue.push("A", job("A1")) == FairQueue::Refusal::kNone);
  REQUIRE(queue.push("A", job("A2")) == FairQueue::Refusal::kNone);
  REQUIRE(queue.push("A", job("A3")) == FairQueue::Refusal::kNone);
  REQUIRE(queue.push("B", job("B1")) == FairQueue::Refusal::kNone);
  REQUIRE(queue.push("C", job("C1")) == FairQueue::Refusal::kNone);
  REQUIRE(queue.push("C", job("C2")) == FairQueue::Refusal::kNone);
  while (!step(queue).empty()) {
  }
  CHECK(ran == std::vector<std::string>{"A1", "B1", "C1", "A2", "C2", "A3"});
  CHECK(queue.keys() == 0);  // nothing kept for idle tenants
}

TEST_CASE("one tenant never holds more than its running cap, so workers stay free for others") {
  FairQueue queue({100, 100, 2});
  Recorder r;
  for (int i = 0; i < 10; ++i) REQUIRE(queue.push("A", r.job("A")) == FairQueue::Refusal::kNone);
  auto first = queue.pop();
  auto second = queue.pop();
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(queue.pop());  // A is at its cap of 2 running: nothing ready for a third worker
  CHECK_FALSE(queue.has_ready());
  REQUIRE(queue.push("B", r.job("B")) == FairQueue::Refusal::kNone);
  auto third = queue.pop();
  REQUIRE(third);
  CHECK(third->key == "B");  // a free worker goes to B at once
  queue.done(first->key);
  auto fourth = queue.pop();
  REQUIRE(fourth);
  CHECK(fourth->key == "A");
  CHECK(queue.keys() == 2);
}

TEST_CASE("the fair queue is bounded per tenant and overall") {
  FairQueue queue({5, 3, 1});
  Recorder r;
  for (int i = 0; i < 3; ++i) CHECK(queue.push("A", r.job("A")) == FairQueue::Refusal::kNone);
  CHECK(queue.push("A", r.job("A")) == FairQueue::Refusal::kKeyFull);
  CHECK(queue.push("B", r.job("B")) == FairQueue::Refusal::kNone);
  CHECK(queue.push("C", r.job("C")) == FairQueue::Refusal::kNone);
  CHECK(queue.push("D", r.job("D")) == FairQueue::Refusal::kFull);
  CHECK(queue.queued() == 5);
  CHECK(queue.keys() == 3);  // D was never admitted
  CHECK(queue.clear() == 5);
  CHECK(queue.queued() == 0);
  CHECK_FALSE(queue.pop());
}

TEST_CASE("PIPELINE_TENANT_MAX_RUNNING 0 means half the threads, rounded up") {
  CHECK(fair_limits(DispatchSettings{4, 1000, 100, 0}).key_running == 2);
  CHECK(fair_limits(DispatchSettings{5, 1000, 100, 0}).key_running == 3);
  CHECK(fair_limits(DispatchSettings{1, 1000, 100, 0}).key_running == 1);
  CHECK(fair_limits(DispatchSettings{4, 1000, 100, 4}).key_running == 4);
  CHECK(fair_limits(DispatchSettings{4, 1000, 100, 0}).key_capacity == 100);
}

TEST_CASE("idle workers are lent to a busy tenant up to the burst cap, never ahead of a ready tenant") {
  FairQueue queue({100, 100, 2, 3});
  Recorder r;
  for (int i = 0; i < 10; ++i) REQUIRE(queue.push("A", r.job("A")) == FairQueue::Refusal::kNone);
  auto first = queue.pop();
  auto second = queue.pop();
  auto borrowed = queue.pop();  // nobody else waits: A borrows a third worker
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(borrowed);
  CHECK(queue.running("A") == 3);
  CHECK_FALSE(queue.pop());  // the burst cap: the fourth worker stays free for another tenant
  REQUIRE(queue.push("B", r.job("B")) == FairQueue::Refusal::kNone);
  REQUIRE(queue.push("B", r.job("B")) == FairQueue::Refusal::kNone);
  auto b1 = queue.pop();
  REQUIRE(b1);
  CHECK(b1->key == "B");
  // A finishes one (back to 2 = its share, still borrowing-eligible); B is under its share and
  // waiting: B goes first.
  queue.done("A");
  auto next = queue.pop();
  REQUIRE(next);
  CHECK(next->key == "B");
  // Both at their share now; A may borrow again (B's queue is empty).
  auto lent = queue.pop();
  REQUIRE(lent);
  CHECK(lent->key == "A");
  CHECK(queue.running("A") == 3);
}

TEST_CASE("PIPELINE_TENANT_BURST_RUNNING 0 lends all workers but one, never below the share") {
  CHECK(fair_limits(DispatchSettings{4, 1000, 100, 0, 0}).key_burst_running == 3);
  CHECK(fair_limits(DispatchSettings{8, 1000, 100, 0, 0}).key_burst_running == 7);
  CHECK(fair_limits(DispatchSettings{1, 1000, 100, 0, 0}).key_burst_running == 1);
  CHECK(fair_limits(DispatchSettings{4, 1000, 100, 4, 0}).key_burst_running == 4);
  CHECK(fair_limits(DispatchSettings{4, 1000, 100, 2, 2}).key_burst_running == 2);  // no lending
}
