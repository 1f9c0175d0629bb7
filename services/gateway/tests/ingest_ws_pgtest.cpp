// The chat ingest path of the gateway (issue 10) over real sockets and real gRPC: message.send
// goes out on gRPC's callback API (no worker thread per message) to the chat fake, which here
// can hold its answers (FakeUpstreams::on_post). Held: order per conversation under concurrent
// sends, the read pause at WS_MAX_IN_FLIGHT_PER_SOCKET, `unavailable` + retry_after_ms at
// INGEST_MAX_IN_FLIGHT and after INGEST_MAX_QUEUE_WAIT_MS in a lane, ack only after commit.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

/// A gate PostMessage handlers wait at until release(); counts who waits. Released when
/// destroyed (declare it after the gateway and the fakes, so it goes first).
class Gate {
 public:
  ~Gate() { release(); }
  void pass() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --waiting_;
  }
  void release() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  /// Waits up to 5 s until `n` handlers wait at the gate; whether they do.
  bool await_waiting(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return waiting_ >= n; });
  }
  int waiting() {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

/// A gateway on the fakes with the abuse limits lifted (WS_RATE_*: bursts of sends are the
/// point here) and `tweak` applied.
struct IngestGateway {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance instance;
  explicit IngestGateway(const SettingsTweak& tweak = {})
      : instance(fakes.address(), [&tweak](gateway::GatewaySettings& s) {
          s.ws_rate_per_sec = 10000;
          s.ws_burst = 10000;
          if (tweak) tweak(s);
        }) {}
  unsigned short port() const { return instance.port(); }
};

void send_message(WsClient& ws, const std::string& conversation_id, const std::string& client_id) {
  ws.send_json({{"type", "message.send"},
                {"conversation_id", conversation_id},
                {"client_id", client_id},
                {"text", "hello " + client_id}});
}

/// The value of the unlabelled metric `name` on the gateway's /metrics; -1 when absent.
double metric(unsigned short port, const std::string& name) {
  auto body = http_exchange(port, request_head("GET", "/metrics", {})).raw.body();
  auto at = body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("ingest: concurrent sends reach channel-connector in send order per conversation") {
  IngestGateway g([](gateway::GatewaySettings& s) { s.ws_max_in_flight_per_socket = 64; });
  // The order PostMessage handlers see, after a random delay each: calls on the wire together
  // would overtake each other here.
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> arrived;  // conversation → client ids
  std::mt19937 random(42);
  g.fakes.on_post([&](const chat::v1::PostMessageRequest& request) {
    int delay = 0;
    {
      std::lock_guard lock(mutex);
      delay = static_cast<int>(random() % 3000);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    std::lock_guard lock(mutex);
    arrived[request.conversation_id()].push_back(request.client_id());
  });
  // An operator socket in two conversations (its name comes from auth GetUser first).
  auto first = widget_session(g.port());
  auto second = widget_session(g.port());
  WsClient ws(g.port(), user_token(g.fakes, kTenant));
  REQUIRE(ws.open());
  for (const auto& id : {first.conversation_id, second.conversation_id}) {
    ws.send_json({{"type", "conversation.join"}, {"conversation_id", id}, {"since_seq", 0}});
    ws.read_type("conversation.joined");
  }
  constexpr int kPerConversation = 30;
  std::map<std::string, std::vector<std::string>> sent;
  for (int i = 0; i < kPerConversation; ++i) {
    for (const auto& id : {first.conversation_id, second.conversation_id}) {
      auto client_id = "m" + std::to_string(i) + "-" + id.substr(0, 6);
      send_message(ws, id, client_id);
      sent[id].push_back(client_id);
    }
  }
  std::map<std::string, std::vector<std::string>> acked;
  std::map<std::string, std::int64_t> last_seq;
  for (int i = 0; i < 2 * kPerConversation; ++i) {
    auto answer = next_answer(ws);
    INFO(json::serialize(answer));
    REQUIRE(answer.at("type").as_string() == "message.ack");
    std::string id(answer.at("conversation_id").as_string());
    acked[id].push_back(std::string(answer.at("client_id").as_string()));
    CHECK(seq_of(answer) > last_seq[id]);
    last_seq[id] = seq_of(answer);
  }
  std::lock_guard lock(mutex);
  for (const auto& id : {first.conversation_id, second.conversation_id}) {
    CHECK(arrived[id] == sent[id]);
    CHECK(acked[id] == sent[id]);
    CHECK(g.fakes.stored_messages(id) == kPerConversation + 1);  // + the greeting
  }
  ws.close();
}

TEST_CASE("ingest: at WS_MAX_IN_FLIGHT_PER_SOCKET the socket's reads pause; nothing is lost") {
  IngestGateway g([](gateway::GatewaySettings& s) { s.ws_max_in_flight_per_socket = 2; });
  Gate gate;
  g.fakes.on_post([&](const chat::v1::PostMessageRequest&) { gate.pass(); });
  auto [ws, conversation] = joined_visitor(g.port());
  auto paused_before = metric(g.port(), "gateway_ingest_reads_paused_total");
  send_message(*ws, conversation, "p1");
  REQUIRE(gate.await_waiting(1));
  send_message(*ws, conversation, "p2");  // waits behind p1: two held, the socket pauses
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (metric(g.port(), "gateway_ingest_in_flight") < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(metric(g.port(), "gateway_ingest_in_flight") == 2);
  for (int i = 3; i <= 6; ++i) send_message(*ws, conversation, "p" + std::to_string(i));
  ws->send(R"({"type":"ping"})");
  std::this_thread::sleep_for(300ms);
  // Not read: p3..p6 are not admitted (they would be held in the lane: 6 in flight).
  CHECK(metric(g.port(), "gateway_ingest_in_flight") == 2);
  CHECK(metric(g.port(), "gateway_ingest_reads_paused_total") >= paused_before + 1);
  CHECK(gate.waiting() == 1);
  gate.release();
  // The socket stayed open; every message is acknowledged in order, then the pong.
  std::vector<std::string> acked;
  bool pong = false;
  while (acked.size() < 6 || !pong) {
    auto frame = ws->read_json();
    auto type = frame.at("type").as_string();
    INFO(json::serialize(frame));
    CHECK(type != "error");
    if (type == "message.ack") acked.push_back(std::string(frame.at("client_id").as_string()));
    if (type == "pong") pong = true;
  }
  CHECK(acked == std::vector<std::string>{"p1", "p2", "p3", "p4", "p5", "p6"});
  CHECK(g.fakes.stored_messages(conversation) == 7);  // + the greeting
  CHECK(metric(g.port(), "gateway_ingest_in_flight") == 0);
  ws->close();
}

TEST_CASE("ingest: at INGEST_MAX_IN_FLIGHT a send is refused with unavailable and retry_after_ms") {
  IngestGateway g([](gateway::GatewaySettings& s) {
    s.ingest_max_in_flight = 2;
    s.ingest_max_queue_wait_ms = 700;
  });
  Gate gate;
  g.fakes.on_post([&](const chat::v1::PostMessageRequest&) { gate.pass(); });
  auto [a, conversation_a] = joined_visitor(g.port());
  auto [b, conversation_b] = joined_visitor(g.port());
  auto [c, conversation_c] = joined_visitor(g.port());
  send_message(*a, conversation_a, "a1");
  send_message(*b, conversation_b, "b1");
  REQUIRE(gate.await_waiting(2));
  send_message(*c, conversation_c, "c1");
  auto refused = next_answer(*c);
  INFO(json::serialize(refused));
  CHECK(refused.at("type").as_string() == "error");
  CHECK(refused.at("code").as_string() == "unavailable");
  CHECK(refused.at("client_id").as_string() == "c1");
  CHECK(refused.at("conversation_id").as_string() == conversation_c);
  CHECK(refused.at("retry_after_ms").as_int64() == 700);
  CHECK(g.fakes.post_calls() == 0);  // counted after the gate: a1, b1 still held
  CHECK(g.fakes.stored_messages(conversation_c) == 1);  // the greeting only
  gate.release();
  CHECK(next_answer(*a).at("type").as_string() == "message.ack");
  CHECK(next_answer(*b).at("type").as_string() == "message.ack");
  send_message(*c, conversation_c, "c1");  // the retry goes through
  auto accepted = next_answer(*c);
  INFO(json::serialize(accepted));
  CHECK(accepted.at("type").as_string() == "message.ack");
  CHECK(g.fakes.stored_messages(conversation_c) == 2);
  auto body = http_exchange(g.port(), request_head("GET", "/metrics", {})).raw.body();
  CHECK(body.find(R"(gateway_ingest_rejected_total{reason="in_flight"})") != std::string::npos);
  a->close();
  b->close();
  c->close();
}

TEST_CASE("ingest: message.ack only after the upstream committed") {
  IngestGateway g;
  Gate gate;
  g.fakes.on_post([&](const chat::v1::PostMessageRequest&) { gate.pass(); });
  auto [ws, conversation] = joined_visitor(g.port());
  send_message(*ws, conversation, "k1");
  REQUIRE(gate.await_waiting(1));
  // Still held: a ping is answered before anything about k1 (reads go on below the cap).
  ws->send(R"({"type":"ping"})");
  CHECK(ws->read_json().at("type").as_string() == "pong");
  CHECK(g.fakes.stored_messages(conversation) == 1);  // the greeting only
  gate.release();
  auto ack = next_answer(*ws);
  INFO(json::serialize(ack));
  REQUIRE(ack.at("type").as_string() == "message.ack");
  CHECK(ack.at("client_id").as_string() == "k1");
  CHECK(seq_of(ack) == 2);
  CHECK(g.fakes.stored_messages(conversation) == 2);
  ws->close();
}

TEST_CASE("ingest: a send that waited past INGEST_MAX_QUEUE_WAIT_MS in its lane is refused") {
  IngestGateway g([](gateway::GatewaySettings& s) { s.ingest_max_queue_wait_ms = 200; });
  Gate gate;
  std::atomic<int> reached{0};
  g.fakes.on_post([&](const chat::v1::PostMessageRequest&) {
    ++reached;
    gate.pass();
  });
  auto [ws, conversation] = joined_visitor(g.port());
  send_message(*ws, conversation, "w1");
  REQUIRE(gate.await_waiting(1));
  send_message(*ws, conversation, "w2");  // behind w1, which is held for good
  // Refused once it waited 200 ms, while w1 is still held (not when w1 is answered).
  auto refused = next_answer(*ws);
  INFO(json::serialize(refused));
  CHECK(refused.at("type").as_string() == "error");
  CHECK(refused.at("code").as_string() == "unavailable");
  CHECK(refused.at("client_id").as_string() == "w2");
  CHECK(refused.at("retry_after_ms").as_int64() == 200);
  CHECK(gate.waiting() == 1);
  gate.release();
  CHECK(next_answer(*ws).at("client_id").as_string() == "w1");
  CHECK(reached == 1);  // w2 never reached the upstream
  CHECK(g.fakes.stored_messages(conversation) == 2);
  send_message(*ws, conversation, "w2");
  CHECK(next_answer(*ws).at("type").as_string() == "message.ack");
  CHECK(g.fakes.stored_messages(conversation) == 3);
  auto body = http_exchange(g.port(), request_head("GET", "/metrics", {})).raw.body();
  CHECK(body.find(R"(gateway_ingest_rejected_total{reason="queue_wait"})") != std::string::npos);
  CHECK(body.find("gateway_ingest_queue_wait_seconds_bucket") != std::string::npos);
  ws->close();
}
