// Group commit of chat messages (append_committer.hpp, ChatStore::append_batch) against real
// PostgreSQL, Redis and gRPC: gap-free seq and idempotent client ids under concurrency, order per
// caller, a failing message answered alone while its batch-mates commit, a full queue refused.

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "chat/chat_store.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;

namespace {

bool metric_has(Harness& h, const std::string& line) {
  return h.metrics.render().find(line + "\n") != std::string::npos;
}

grpc::Status post_operator(Harness& h, const std::string& conversation_id,
                           const std::string& client_id, const std::string& text,
                           chatv1::PostMessageResponse* response = nullptr) {
  chatv1::PostMessageResponse ignored;
  return h.post(conversation_id, client_id, commonv1::SENDER_KIND_OPERATOR, text,
                response ? response : &ignored, "op-1");
}

/// Holds conversation `id`'s row lock in an open transaction until release(): the committer's
/// statement for that conversation waits on it (up to the session's lock_timeout, 2 s), so what
/// queues behind it forms the next batch.
class RowLock {
 public:
  RowLock(botfactory::pg::Pool& pool, const std::string& id) : connection_(pool.acquire()) {
    connection_->exec("BEGIN");
    connection_->exec("SELECT 1 FROM chat.conversations WHERE id = $1 FOR UPDATE", {id});
  }
  ~RowLock() { release(); }
  void release() {
    if (held_) connection_->exec("COMMIT");
    held_ = false;
  }

 private:
  botfactory::pg::PooledConnection connection_;
  bool held_ = true;
};

/// True once the committer is blocked on a locked row (a backend waits for a lock).
bool committer_waits_on_lock(botfactory::pg::Pool& pool) {
  auto connection = pool.acquire();
  return connection
             ->exec("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")
             .int64(0, 0) > 0;
}

NewMessage operator_message(const std::string& conversation_id, const std::string& client_id,
                            const std::string& text) {
  NewMessage m;
  m.conversation_id = conversation_id;
  m.client_id = client_id;
  m.sender_kind = commonv1::SENDER_KIND_OPERATOR;
  m.sender_id = "op-1";
  m.sender_name = "Olga";
  m.text = text;
  return m;
}

}  // namespace

TEST_CASE("group commit: many threads on shared and own conversations get gap-free seqs, "
          "one row per client id, and their own order") {
  Harness h([](ChannelSettings& s) {
    s.commit.max_batch = 8;
    s.commit.lanes = 3;
  });
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  constexpr int kThreads = 8;
  constexpr int kShared = 3;
  constexpr int kEach = 24;
  std::vector<std::string> shared;
  for (int i = 0; i < kShared; ++i) shared.push_back(h.create_conversation(tenant, bot.id()).id());
  std::vector<std::string> own;
  for (int i = 0; i < kThreads; ++i) own.push_back(h.create_conversation(tenant, bot.id()).id());

  // Each thread: its own messages (unique client ids) alternating over the shared conversations
  // and its own, plus a client id every thread sends to shared[0] ("same-<k>": one row each).
  struct Sent {
    std::string conversation;
    std::int64_t seq;
  };
  std::vector<std::vector<Sent>> sent(kThreads);
  std::vector<std::map<std::string, std::pair<std::string, std::int64_t>>> same(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto& conversation = i % 2 == 0 ? shared[static_cast<std::size_t>(i / 2) % kShared]
                                              : own[static_cast<std::size_t>(t)];
        chatv1::PostMessageResponse response;
        std::string client_id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!post_operator(h, conversation, client_id, client_id, &response).ok() ||
            response.duplicate()) {
          ++failures;
          continue;
        }
        sent[static_cast<std::size_t>(t)].push_back({conversation, response.message().seq()});
        if (i % 4 == 0) {
          std::string same_id = "same-" + std::to_string(i);
          chatv1::PostMessageResponse again;
          if (!post_operator(h, shared[0], same_id, same_id, &again).ok()) {
            ++failures;
            continue;
          }
          same[static_cast<std::size_t>(t)][same_id] = {again.message().id(), again.message().seq()};
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);

  // Per conversation: seqs 1..n with no gap and no repeat, as stored and as answered.
  std::map<std::string, std::set<std::int64_t>> answered;
  for (const auto& list : sent) {
    for (const auto& s : list) CHECK(answered[s.conversation].insert(s.seq).second);
  }
  for (const auto& [conversation, seqs] : answered) {
    auto stored = h.messages(conversation);
    std::set<std::string> client_ids;
    for (std::size_t i = 0; i < stored.size(); ++i) {
      CHECK(stored[i].seq() == static_cast<std::int64_t>(i) + 1);
      CHECK(client_ids.insert(stored[i].client_id()).second);
    }
    // shared[0] also holds the "same-*" rows: one per client id.
    std::size_t same_rows = conversation == shared[0] ? static_cast<std::size_t>(kEach / 4) : 0;
    CHECK(stored.size() == seqs.size() + same_rows);
  }
  // Every thread got the same message for each repeated client id.
  for (int t = 1; t < kThreads; ++t) CHECK(same[static_cast<std::size_t>(t)] == same[0]);
  // Each thread's messages of one conversation are stored in the order it sent them.
  for (const auto& list : sent) {
    std::map<std::string, std::int64_t> last;
    for (const auto& s : list) {
      CHECK(s.seq > last[s.conversation]);
      last[s.conversation] = s.seq;
    }
  }
  CHECK(h.metrics.render().find("chat_commit_batch_size_count") != std::string::npos);
}

TEST_CASE("group commit: append_batch answers a failing message with its error and commits the "
          "rest of its batch") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto a = h.create_conversation(tenant, bot.id()).id();
  auto b = h.create_conversation(tenant, bot.id()).id();
  {
    auto connection = h.pool().acquire();
    connection->exec(
        "ALTER TABLE chat.messages ADD CONSTRAINT test_no_poison CHECK (text <> 'poison')");
  }
  ChatStore store(h.pool());
  auto a1 = operator_message(a, "a-1", "first");
  auto poison = operator_message(b, "b-1", "poison");
  auto a2 = operator_message(a, "a-2", "second");
  auto b2 = operator_message(b, "b-2", "fine");
  auto a1_again = operator_message(a, "a-1", "first");  // the same client id, same batch
  auto unknown = operator_message(random_uuid(), "u-1", "nobody");
  int rounds = 0;
  auto outcomes = store.append_batch({&a1, &poison, &a2, &b2, &a1_again, &unknown}, &rounds);
  REQUIRE(outcomes.size() == 6);
  CHECK(rounds == 2);  // the first rolled back at the poison, the second committed the rest

  REQUIRE_FALSE(outcomes[0].error);
  REQUIRE(outcomes[0].stored);
  CHECK(outcomes[0].stored->message.seq() == 1);
  CHECK_FALSE(outcomes[0].stored->duplicate);
  CHECK(outcomes[0].stored->conversation.last_seq() == 1);

  REQUIRE(outcomes[1].error);
  try {
    std::rethrow_exception(outcomes[1].error);
  } catch (const botfactory::pg::Error& e) {
    CHECK(e.sqlstate() == "23514");  // check_violation
  }
  CHECK(outcomes[2].stored->message.seq() == 2);
  CHECK(outcomes[3].stored->message.seq() == 1);  // b's seq 1: the poison took none
  REQUIRE(outcomes[4].stored);
  CHECK(outcomes[4].stored->duplicate);
  CHECK(outcomes[4].stored->message.id() == outcomes[0].stored->message.id());
  CHECK_FALSE(outcomes[5].error);
  CHECK_FALSE(outcomes[5].stored);  // unknown conversation

  auto stored_a = h.messages(a);
  REQUIRE(stored_a.size() == 2);
  CHECK(stored_a[0].text() == "first");
  CHECK(stored_a[1].text() == "second");
  auto stored_b = h.messages(b);
  REQUIRE(stored_b.size() == 1);
  CHECK(stored_b[0].text() == "fine");
}

TEST_CASE("group commit: the messages queued behind a busy commit form one batch; a bad one "
          "fails alone") {
  Harness h([](ChannelSettings& s) {
    s.commit.max_batch = 16;
    s.commit.lanes = 1;  // every conversation in the one lane: the three queue together
  });
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto x = h.create_conversation(tenant, bot.id()).id();
  std::vector<std::string> others;
  for (int i = 0; i < 3; ++i) others.push_back(h.create_conversation(tenant, bot.id()).id());
  {
    auto connection = h.pool().acquire();
    connection->exec(
        "ALTER TABLE chat.messages ADD CONSTRAINT test_no_poison CHECK (text <> 'poison')");
  }
  RowLock lock(h.pool(), x);
  grpc::Status blocked;
  std::thread first([&] { blocked = post_operator(h, x, "x-1", "waits for the lock"); });
  REQUIRE(wait_until([&] { return committer_waits_on_lock(h.pool()); }));
  std::vector<grpc::Status> statuses(3);
  std::vector<std::thread> queued;
  for (int i = 0; i < 3; ++i) {
    queued.emplace_back([&, i] {
      statuses[static_cast<std::size_t>(i)] =
          post_operator(h, others[static_cast<std::size_t>(i)], "m-" + std::to_string(i),
                        i == 1 ? "poison" : "fine");
    });
  }
  REQUIRE(wait_until([&] { return metric_has(h, "chat_commit_queue_depth 3"); }));
  lock.release();
  first.join();
  for (auto& t : queued) t.join();

  CHECK(blocked.ok());
  CHECK(statuses[0].ok());
  CHECK_FALSE(statuses[1].ok());  // the constraint violation, as UNAVAILABLE (rpc::guard)
  CHECK(statuses[2].ok());
  CHECK(h.messages(others[0]).size() == 1);
  CHECK(h.messages(others[1]).empty());
  CHECK(h.messages(others[2]).size() == 1);
  // Two transactions: x alone, then the three that queued behind it (one retried round).
  CHECK(metric_has(h, R"(chat_commit_batch_size_bucket{le="1"} 1)"));
  CHECK(metric_has(h, R"(chat_commit_batch_size_bucket{le="4"} 2)"));
  CHECK(metric_has(h, "chat_commit_retried_rounds_total 1"));
}

TEST_CASE("group commit: a full queue is refused UNAVAILABLE with a retry hint, nothing stored") {
  Harness h([](ChannelSettings& s) {
    s.commit.max_batch = 1;
    s.commit.max_queue = 2;
    s.commit.lanes = 1;
  });
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto x = h.create_conversation(tenant, bot.id()).id();
  auto y = h.create_conversation(tenant, bot.id()).id();
  RowLock lock(h.pool(), x);
  std::vector<grpc::Status> statuses(3);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { statuses[0] = post_operator(h, x, "x-1", "one"); });
  REQUIRE(wait_until([&] { return committer_waits_on_lock(h.pool()); }));
  threads.emplace_back([&] { statuses[1] = post_operator(h, y, "y-1", "two"); });
  threads.emplace_back([&] { statuses[2] = post_operator(h, x, "x-2", "three"); });
  REQUIRE(wait_until([&] { return metric_has(h, "chat_commit_queue_depth 2"); }));

  auto refused = post_operator(h, y, "y-2", "four");
  CHECK(refused.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(botfactory::rpc::retry_after_seconds(refused) == 1);
  CHECK(refused.error_message().find("busy") != std::string::npos);
  CHECK(metric_has(h, R"(chat_commit_rejected_total{reason="queue_full"} 1)"));

  lock.release();
  for (auto& t : threads) t.join();
  for (const auto& s : statuses) CHECK(s.ok());
  auto stored_x = h.messages(x);
  REQUIRE(stored_x.size() == 2);
  CHECK(stored_x[0].client_id() == "x-1");
  CHECK(stored_x[1].client_id() == "x-2");
  auto stored_y = h.messages(y);
  REQUIRE(stored_y.size() == 1);  // the refused one was not stored
  CHECK(stored_y[0].client_id() == "y-1");
}
