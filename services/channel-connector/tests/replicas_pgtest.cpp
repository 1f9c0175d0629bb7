// Several channel-connector replicas on one database (docs/architecture.md "Scale-out"): the
// inbox claim gives a chat's rows to one claimer at a time, in order; leases held by a replica
// are renewed by its heartbeat and run out when it stops; two ChannelApps answer a burst of
// updates of several chats with every chat's replies in order, each once. Time in these tests is
// the database's: a lease "running out" is set directly (lease_until in the past), no sleeping on
// the lease.

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "channel_harness.hpp"
#include "chat/chat_store.hpp"

using namespace botfactory;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;

namespace {

constexpr std::chrono::milliseconds kLease{60000};

std::string update_json(int update_id, std::int64_t chat, const std::string& text) {
  return R"({"update_id":)" + std::to_string(update_id) + "," +
         FakeTelegram::text_update(chat, "C" + std::to_string(chat), text).substr(1);
}

std::int64_t id_of(ChannelHarness& h, const std::string& external_id) {
  return h.count("SELECT id FROM chat.channel_inbox WHERE external_id = $1", {external_id});
}

std::set<std::int64_t> ids(const std::vector<InboxRow>& rows) {
  std::set<std::int64_t> out;
  for (const auto& r : rows) out.insert(r.id);
  return out;
}

void expire(ChannelHarness& h, const std::string& table, std::int64_t id) {
  auto connection = h.pool->acquire();
  connection->exec("UPDATE chat." + table + " SET lease_until = now() - interval '1 second' WHERE id = $1",
                   {std::to_string(id)});
}

}  // namespace

TEST_CASE("replicas: a chat's inbox rows go to one claimer at a time, oldest first; a lease that "
          "ran out moves the head to another replica, which alone can renew it") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com/"; });
  auto token = h.telegram.add_bot(5559001, "claim_bot");
  auto view = h.connect(token, "webhook");
  h.stop();  // nothing processes: the test is the claimer
  ChannelRepository repository(*h.pool);
  const auto& channel = view.record.id;
  REQUIRE(repository.store_inbound(channel, "1", update_json(1, 11, "x1"), "11"));
  REQUIRE(repository.store_inbound(channel, "2", update_json(2, 22, "y1"), "22"));
  REQUIRE(repository.store_inbound(channel, "3", update_json(3, 11, "x2"), "11"));
  REQUIRE(repository.store_inbound(channel, "4", R"({"update_id":4})", ""));  // no chat: its own
  REQUIRE(repository.store_inbound(channel, "5", R"({"update_id":5})", ""));
  REQUIRE(repository.store_inbound(channel, "6", update_json(6, 11, "x3"), "11"));
  auto x1 = id_of(h, "1"), y1 = id_of(h, "2"), x2 = id_of(h, "3"), x3 = id_of(h, "6");

  auto a = repository.claim_inbox(10, kLease, "A");
  CHECK(ids(a) == std::set<std::int64_t>{x1, y1, id_of(h, "4"), id_of(h, "5")});
  CHECK(repository.claim_inbox(10, kLease, "B").empty());  // every head is A's

  // Posted: still the chat's head (its reply is owed), so x2 waits.
  repository.inbox_posted(x1, h.text("SELECT gen_random_uuid()::text"), kLease);
  CHECK(repository.claim_inbox(10, kLease, "B").empty());
  // Done: x2 is the head now, and only x2 of chat 11 (the finish says the chat has a next row).
  CHECK(repository.inbox_finished(x1, "done", ""));
  auto b = repository.claim_inbox(10, kLease, "B");
  CHECK(ids(b) == std::set<std::int64_t>{x2});

  // A renews its own rows, never B's.
  CHECK(repository.renew_inbox({y1, x2}, "A", kLease) == 1);
  CHECK(repository.renew_inbox({x2}, "B", kLease) == 1);

  // A stops renewing y1 (killed): once its lease ran out, B takes it over; A can no longer renew.
  expire(h, "channel_inbox", y1);
  auto taken = repository.claim_inbox(10, kLease, "B");
  REQUIRE(ids(taken) == std::set<std::int64_t>{y1});
  CHECK(taken[0].attempts == 2);
  CHECK(repository.renew_inbox({y1}, "A", kLease) == 0);
  CHECK(h.text("SELECT lease_owner FROM chat.channel_inbox WHERE id = $1", {std::to_string(y1)}) == "B");

  // Given back (tenant held, or shutting down): free at once for anyone, in order.
  repository.inbox_release({x2});
  auto c = repository.claim_inbox(10, kLease, "C");
  CHECK(ids(c) == std::set<std::int64_t>{x2});
  CHECK(std::find_if(c.begin(), c.end(), [&](const auto& r) { return r.id == x3; }) == c.end());
  // chanperf: a finish answers whether the chat has another open row (the inbox looks for work
  // again only then): y1 was chat 22's only row; x2 still has x3 behind it.
  CHECK_FALSE(repository.inbox_finished(y1, "done", ""));
  CHECK(repository.inbox_finished(x2, "done", ""));
  CHECK_FALSE(repository.inbox_finished(x3, "failed", "x"));
}

TEST_CASE("replicas: claimers racing on many chats never hold two rows of a chat at once and "
          "take each chat's rows in order") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com/"; });
  auto token = h.telegram.add_bot(5559002, "race_bot");
  auto view = h.connect(token, "webhook");
  h.stop();
  ChannelRepository repository(*h.pool);
  constexpr int kChats = 5, kPerChat = 20;
  int update_id = 100;
  for (int i = 0; i < kPerChat; ++i) {
    for (int chat = 0; chat < kChats; ++chat) {
      ++update_id;
      REQUIRE(repository.store_inbound(view.record.id, std::to_string(update_id),
                                       update_json(update_id, 900 + chat, "m"), std::to_string(900 + chat)));
    }
  }
  std::mutex mutex;
  std::map<std::string, std::vector<std::int64_t>> order;  // chat -> ids in claim order
  std::set<std::string> active;
  std::atomic<int> overlaps{0}, done{0};
  auto claimer = [&](const std::string& owner) {
    ChannelRepository own(*h.pool);
    for (int spins = 0; done.load() < kChats * kPerChat && spins < 5000; ++spins) {
      for (const auto& row : own.claim_inbox(3, kLease, owner)) {
        auto chat = inbox_chat_key(row, "telegram");
        {
          std::lock_guard lock(mutex);
          if (!active.insert(chat).second) ++overlaps;
          order[chat].push_back(row.id);
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mutex);
          active.erase(chat);
        }
        own.inbox_finished(row.id, "done", "");
        ++done;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(claimer, "replica-" + std::to_string(t));
  for (auto& t : threads) t.join();
  CHECK(overlaps.load() == 0);
  REQUIRE(done.load() == kChats * kPerChat);
  REQUIRE(order.size() == static_cast<std::size_t>(kChats));
  for (const auto& [chat, claimed] : order) {
    CAPTURE(chat);
    CHECK(claimed.size() == static_cast<std::size_t>(kPerChat));
    CHECK(std::is_sorted(claimed.begin(), claimed.end()));
  }
}

TEST_CASE("replicas: the heartbeat keeps a slow reply's chat leased; a dead replica's inbox and "
          "outbox rows are taken over once their lease ran out") {
  ChannelHarness h([](BindingSettings& b) {
    b.public_base_url = "https://bots.example.com/";
    b.inbox.lease = b.outbox.lease = std::chrono::milliseconds(1500);
    b.leases.renew_every = std::chrono::milliseconds(300);
  });
  auto token = h.telegram.add_bot(5559003, "lease_bot");
  auto view = h.connect(token, "webhook");
  auto secret = h.telegram.webhook_secret(token);
  ChannelRepository repository(*h.pool);

  // A reply slower than three leases: the row stays this replica's (renewed), the chat's next
  // update waits, and another claimer finds nothing.
  h.ai.hold(h.tenant);
  REQUIRE_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, update_json(301, 61, "one")));
  REQUIRE_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, update_json(302, 61, "two")));
  REQUIRE(wait_until([&] { return h.ai.calls_of(h.tenant) == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));
  CHECK(h.count("SELECT count(*) FROM chat.channel_inbox WHERE state = 'posted' AND lease_until > now()") == 1);
  CHECK(repository.claim_inbox(10, std::chrono::milliseconds(1500), "other").empty());
  CHECK(h.app->inbox().held_rows().size() == 1);
  h.ai.release();
  REQUIRE(wait_until([&] { return h.telegram.sent().size() == 2; }));
  CHECK(h.count("SELECT count(*) FROM chat.channel_inbox WHERE state = 'done'") == 2);
  // Questions and replies alternate: "two" was posted after the reply to "one".
  CHECK(h.text("SELECT string_agg(m.sender_kind::text, ',' ORDER BY m.seq) FROM chat.messages m JOIN "
               "chat.conversations c ON c.id = m.conversation_id WHERE c.external_chat_id = '61'") ==
        "visitor,bot,visitor,bot");

  // A replica that died holding rows: an update it claimed and an outbox row it was sending.
  h.stop();
  REQUIRE(repository.store_inbound(view.record.id, "303", update_json(303, 62, "orphan"), "62"));
  auto conversation = h.text("SELECT id FROM chat.conversations WHERE external_chat_id = '61'");
  ChatStore store(*h.pool);
  NewMessage op{conversation, "op-1", common::v1::SENDER_KIND_OPERATOR, "operator-1", "Olga",
                "from the operator", {}, ""};
  op.deliver_to_channel = true;
  REQUIRE(store.append(op));
  {
    ChannelRepository dead(*h.pool);
    REQUIRE(dead.claim_inbox(10, std::chrono::milliseconds(1500), "dead").size() == 1);
    REQUIRE(dead.claim_outbox(10, std::chrono::milliseconds(1500), "dead").size() == 1);
  }
  h.start();
  // Not before the dead replica's lease ran out (1.5 s; nobody renews it), then within a pass.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(h.telegram.sent().size() == 2);
  REQUIRE(wait_until([&] { return h.telegram.sent().size() == 4; }, std::chrono::seconds(5)));
  std::multiset<std::string> texts;
  for (const auto& s : h.telegram.sent()) texts.insert(s.text);
  CHECK(texts.count("from the operator") == 1);
  CHECK(wait_until([&] { return h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'sent'") == 4; }));
  CHECK(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.channel_inbox WHERE state IN ('pending', 'posted')") == 0;
  }));
}

TEST_CASE("replicas: two ChannelApps on one database answer a burst of several chats, every "
          "chat's replies in the order of its questions, each once") {
  ChannelHarness h([](BindingSettings& b) {
    b.public_base_url = "https://bots.example.com/";
    b.inbox.threads = 2;
    b.inbox.batch = 3;
  });
  h.settings.visitor_messages_per_min = 0;
  h.settings.bot_replies_per_min = 0;
  h.stop();
  h.start();
  auto second = std::make_unique<ChannelApp>(h.pool, h.settings, h.metrics, h.box, h.bindings);
  auto token = h.telegram.add_bot(5559004, "pair_bot");
  auto view = h.connect(token, "webhook");
  auto secret = h.telegram.webhook_secret(token);
  constexpr int kChats = 4, kPerChat = 5;
  int update_id = 700;
  for (int i = 0; i < kPerChat; ++i) {
    for (int chat = 0; chat < kChats; ++chat) {
      ++update_id;
      auto& app = (update_id % 2) ? *h.app : *second;  // each webhook call to either replica
      REQUIRE_FALSE(app.bindings().receive_telegram_update(
          view.record.id, secret, update_json(update_id, 500 + chat, "q" + std::to_string(i))));
    }
  }
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= kChats * kPerChat; },
                     std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(h.telegram.sent().size() == kChats * kPerChat);
  for (int chat = 0; chat < kChats; ++chat) {
    CAPTURE(chat);
    auto chat_id = std::to_string(500 + chat);
    CHECK(h.text("SELECT string_agg(m.text, ',' ORDER BY m.seq) FROM chat.messages m JOIN "
                 "chat.conversations c ON c.id = m.conversation_id WHERE c.external_chat_id = $1 "
                 "AND m.sender_kind = 'visitor'",
                 {chat_id}) == "q0,q1,q2,q3,q4");
    // Each reply right after its question, and answering that question.
    CHECK(h.count("SELECT count(*) FROM chat.messages v JOIN chat.conversations c ON c.id = "
                  "v.conversation_id JOIN chat.messages r ON r.conversation_id = c.id AND r.seq = v.seq + 1 "
                  "AND r.client_id = 'bot-reply-' || v.id::text WHERE c.external_chat_id = $1 "
                  "AND v.sender_kind = 'visitor'",
                  {chat_id}) == kPerChat);
    // Sent to Telegram in that order.
    CHECK(h.count("SELECT count(*) FROM (SELECT o.sent_at, lag(o.sent_at) OVER (ORDER BY m.seq) AS prev "
                  "FROM chat.channel_outbox o JOIN chat.messages m ON m.id = o.message_id JOIN "
                  "chat.conversations c ON c.id = o.conversation_id WHERE c.external_chat_id = $1) s "
                  "WHERE s.prev > s.sent_at",
                  {chat_id}) == 0);
  }
  second.reset();
}

TEST_CASE("replicas: a polling channel whose replica died is polled by another once the poll "
          "lease ran out, and not before") {
  ChannelHarness h([](BindingSettings& b) {
    b.poller.lease = std::chrono::milliseconds(1500);
    b.poller.refresh = std::chrono::milliseconds(300);
  });
  auto token = h.telegram.add_bot(5559005, "poll_takeover_bot");
  auto view = h.connect(token, "polling");
  h.stop();
  // The dead replica renewed its lease just before it died.
  {
    auto connection = h.pool->acquire();
    connection->exec("UPDATE chat.channels SET poll_owner = 'dead', "
                     "poll_lease_until = now() + interval '2 seconds' WHERE id = $1",
                     {view.record.id});
  }
  h.telegram.queue_update(token, FakeTelegram::text_update(64, "Pia", "anyone polling?"));
  auto started = std::chrono::steady_clock::now();
  h.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(h.telegram.sent().empty());
  CHECK(h.text("SELECT poll_owner FROM chat.channels WHERE id = $1", {view.record.id}) == "dead");
  // Lease (2 s) + one refresh (0.3 s) + the reply: well within 5 s.
  REQUIRE(wait_until([&] { return h.telegram.sent().size() == 1; }, std::chrono::seconds(5)));
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(1900));
  CHECK(h.text("SELECT poll_owner FROM chat.channels WHERE id = $1", {view.record.id}) != "dead");
}

TEST_CASE("outbox: a sent row answers whether its conversation has a next pending row (the "
          "sender claims again only then); the next row is claimable only after it; a chat's "
          "conversation is written only when something changed (chanperf)") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com/"; });
  auto token = h.telegram.add_bot(5559009, "sent_more_bot");
  auto view = h.connect(token, "webhook");
  h.stop();  // the test is the sender
  ChannelRepository repository(*h.pool);
  auto conversation = repository.conversation_for_chat(view.record, "71", "telegram:71", "Chat 71");
  auto other = repository.conversation_for_chat(view.record, "72", "telegram:72", "Chat 72");
  // chanperf: a chat writing again is only read while nothing changed; a new name, an inactive
  // chat or a stale last message time is written.
  auto version = [&] { return h.text("SELECT xmin::text FROM chat.conversations WHERE id = $1", {conversation}); };
  auto before = version();
  CHECK(repository.conversation_for_chat(view.record, "71", "telegram:71", "Chat 71") == conversation);
  CHECK(version() == before);
  CHECK(repository.conversation_for_chat(view.record, "71", "telegram:71", "Renamed") == conversation);
  CHECK(h.text("SELECT visitor_name FROM chat.conversations WHERE id = $1", {conversation}) == "Renamed");
  h.count("WITH u AS (UPDATE chat.conversations SET chat_inactive = true WHERE id = $1 RETURNING 1) "
          "SELECT count(*) FROM u", {conversation});
  CHECK(repository.conversation_for_chat(view.record, "71", "telegram:71", "Renamed") == conversation);
  CHECK(h.text("SELECT chat_inactive::text FROM chat.conversations WHERE id = $1", {conversation}) == "false");
  h.count("WITH u AS (UPDATE chat.conversations SET last_customer_message_at = now() - interval '2 minutes' "
          "WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", {conversation});
  CHECK(repository.conversation_for_chat(view.record, "71", "telegram:71", "Renamed") == conversation);
  CHECK(h.count("SELECT count(*) FROM chat.conversations WHERE id = $1 AND last_customer_message_at > "
                "now() - interval '10 seconds'", {conversation}) == 1);
  ChatStore store(*h.pool);
  auto queue = [&](const std::string& conv, const std::string& client_id) {
    NewMessage op{conv, client_id, common::v1::SENDER_KIND_OPERATOR, "operator-1", "Olga", client_id, {}, ""};
    op.deliver_to_channel = true;
    REQUIRE(store.append(op));
  };
  queue(conversation, "op-1");
  queue(conversation, "op-2");
  queue(other, "op-3");
  auto first = repository.claim_outbox(10, kLease, "A");
  REQUIRE(first.size() == 2);  // the head of each conversation
  CHECK(first[0].text == "op-1");
  CHECK(first[1].text == "op-3");
  CHECK(repository.outbox_sent(first[0].id));        // op-2 waits behind it
  CHECK_FALSE(repository.outbox_sent(first[1].id));  // conversation 72 has nothing more
  auto second = repository.claim_outbox(10, kLease, "A");
  REQUIRE(second.size() == 1);
  CHECK(second[0].text == "op-2");
  CHECK_FALSE(repository.outbox_sent(second[0].id));
  CHECK(repository.claim_outbox(10, kLease, "A").empty());
}
