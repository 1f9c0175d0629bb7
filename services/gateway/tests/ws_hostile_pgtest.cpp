// Hostile WebSocket clients against a real gateway (gateway_fleet.hpp: fake upstreams, the real
// test Redis, real sockets): clients that never read while flooding pings, unknown frames or
// frames that earn error replies; oversized frames; invalid close frames; tokens that expire on
// an open socket and in-band renewal; control characters in text fields. A raw client (POSIX
// sockets, hand-made frames) does what a well-behaved library refuses to do.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "botfactory/common/random.hpp"
#include "gateway_fleet.hpp"
#include "gateway_metrics.hpp"
#include "ws_client_frame.hpp"
#include "ws/ws_framing.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;
using Clock = std::chrono::steady_clock;

namespace {

/// A WebSocket client on a bare socket: hand-made masked frames, no flow control, no checks.
class RawWs {
 public:
  /// Connects to 127.0.0.1:`port` and upgrades with `token`. `receive_buffer` > 0 shrinks the
  /// socket's receive buffer (SO_RCVBUF) so that a client that does not read stalls the
  /// gateway's writes soon.
  RawWs(unsigned short port, const std::string& token, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    std::string request = "GET /ws?token=" + token +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n";
    REQUIRE(write_all(request));
    std::string response;
    while (response.find("\r\n\r\n") == std::string::npos) {
      char c;
      REQUIRE(read_some(&c, 1, 5000ms) == 1);
      response.push_back(c);
    }
    REQUIRE(response.rfind("HTTP/1.1 101", 0) == 0);
  }
  ~RawWs() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawWs(const RawWs&) = delete;
  RawWs& operator=(const RawWs&) = delete;

  /// A masked client frame with FIN set (ws_client_frame.hpp).
  static std::string frame(std::uint8_t opcode, std::string_view payload) {
    return client_frame(opcode, payload);
  }

  /// Blocking write of everything; false when the connection failed.
  bool write_all(std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Writes `data` repeatedly without blocking while the gateway takes it, for at most
  /// `duration`; stops after it took nothing for `stuck` (the gateway stopped reading). Returns
  /// the bytes written.
  std::size_t flood(const std::string& data, std::chrono::milliseconds duration,
                    std::chrono::milliseconds stuck = 500ms) {
    std::size_t total = 0;
    std::size_t offset = 0;
    auto end = Clock::now() + duration;
    auto last_progress = Clock::now();
    while (Clock::now() < end) {
      auto n = ::send(fd_, data.data() + offset, data.size() - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        total += static_cast<std::size_t>(n);
        offset = (offset + static_cast<std::size_t>(n)) % data.size();
        last_progress = Clock::now();
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;  // closed by the gateway
      if (Clock::now() - last_progress >= stuck) break;
      std::this_thread::sleep_for(5ms);
    }
    return total;
  }

  /// Reads up to `size` bytes, waiting at most `timeout`; 0 on EOF or timeout, -1 on error.
  long read_some(char* out, std::size_t size, std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return 0;
    return ::recv(fd_, out, size, 0);
  }

  struct ServerFrame {
    std::uint8_t opcode = 0;
    std::string payload;
  };

  /// The next server frame, or nullopt on EOF / error / `timeout`.
  std::optional<ServerFrame> read_frame(std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
      if (auto f = parse()) return f;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      char chunk[65536];
      long n = read_some(chunk, sizeof chunk, left);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// Reads frames until the gateway's close frame; its code, or 0 when the connection ended
  /// without one. `*frames` counts the frames before it.
  int read_until_close(std::size_t* frames = nullptr, std::chrono::milliseconds timeout = 10000ms) {
    std::size_t count = 0;
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto f = read_frame(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (!f) break;
      if (f->opcode == 0x8) {
        if (frames) *frames = count;
        if (f->payload.size() < 2) return 1005;
        return (static_cast<std::uint8_t>(f->payload[0]) << 8) |
               static_cast<std::uint8_t>(f->payload[1]);
      }
      ++count;
    }
    if (frames) *frames = count;
    return 0;
  }

  /// The next text frame as JSON (skipping pongs and pings).
  json::object read_json() {
    for (;;) {
      auto f = read_frame();
      REQUIRE(f);
      if (f->opcode == 0x1) return json::parse(f->payload).as_object();
      REQUIRE((f->opcode == 0x9 || f->opcode == 0xA));
    }
  }

  void send_text(const std::string& text) { REQUIRE(write_all(frame(0x1, text))); }

 private:
  std::optional<ServerFrame> parse() {
    if (buffer_.size() < 2) return std::nullopt;
    auto b1 = static_cast<std::uint8_t>(buffer_[1]);
    std::size_t length = b1 & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
      if (buffer_.size() < 4) return std::nullopt;
      length = (static_cast<std::uint8_t>(buffer_[2]) << 8) | static_cast<std::uint8_t>(buffer_[3]);
      header = 4;
    } else if (length == 127) {
      if (buffer_.size() < 10) return std::nullopt;
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<std::uint8_t>(buffer_[i]);
      header = 10;
    }
    if (buffer_.size() < header + length) return std::nullopt;
    ServerFrame f;
    f.opcode = static_cast<std::uint8_t>(buffer_[0]) & 0x0F;
    f.payload = buffer_.substr(header, length);
    buffer_.erase(0, header + length);
    return f;
  }

  int fd_ = -1;
  std::string buffer_;
};

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  return gateway::encode_close_payload(code, reason);
}

/// A budget small enough to reach in a test: 32 KiB, hard cap 64 KiB; stalled writes noticed
/// within 0.5 s (the sweep runs every WS_SEND_TIMEOUT_MS / 4).
void small_budget(gateway::GatewaySettings& s) {
  s.ws_send_budget_bytes = 32 * 1024;
  s.ws_send_hard_cap_bytes = 64 * 1024;
  s.ws_send_timeout = 400ms;
}

/// small_budget without the flood guard, for floods that test the outbound budget alone.
void small_budget_no_flood_guard(gateway::GatewaySettings& s) {
  small_budget(s);
  s.ws_flood_frames_per_sec = 1e9;
  s.ws_flood_burst = 1e9;
}

/// Waits until `done` or `timeout`.
template <typename F>
bool eventually(F done, std::chrono::milliseconds timeout = 5000ms) {
  auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::string signed_user_token(const FakeUpstreams& fakes, const std::string& tenant,
                              std::chrono::seconds ttl) {
  jwt::Claims claims;
  claims.subject = kUserId;
  claims.tenant_id = tenant;
  return fakes.signer().sign(claims, ttl);
}

}  // namespace

TEST_CASE("a client that floods pings and never reads holds one pong, then is closed (1008)") {
  Fleet fleet(small_budget_no_flood_guard);
  auto& metrics = gateway::GatewayMetrics::get();
  metrics.ws_queued_bytes_peak.set(0);
  auto slow_before = metrics.slow_consumer_closes.value();
  auto session = widget_session(fleet.a->port());
  RawWs client(fleet.a->port(), session.token, 4096);
  std::string pings;
  for (int i = 0; i < 512; ++i) pings += RawWs::frame(0x9, std::string(125, 'p'));
  // Flood until the gateway closes the socket (its write stalls once the socket buffers are
  // full): on a busy machine more pongs are coalesced and filling the buffers takes longer.
  auto written = client.flood(pings, 8000ms);
  INFO("bytes of pings written: " << written);
  CHECK(written > 100'000);  // the gateway kept reading: a pong never waits behind another
  CHECK(eventually([&] { return metrics.slow_consumer_closes.value() > slow_before; }));
  // At most the pong being written and the one waiting, whatever the flood.
  CHECK(metrics.ws_queued_bytes_peak.value() <= 2 * (125 + 64));
  std::size_t frames = 0;
  auto code = client.read_until_close(&frames);
  INFO("frames before the close: " << frames << ", errno " << errno);
  CHECK(code == 1008);
  CHECK(eventually([&] { return metrics.ws_queued_bytes.value() == 0; }));
}

TEST_CASE("a client that floods frames earning errors and never reads stays under the hard cap") {
  auto flood_with = [](const std::string& name, const std::string& one_frame) {
    SECTION(name) {
      Fleet fleet([](gateway::GatewaySettings& s) {
        small_budget(s);
        s.ws_rate_per_sec = 1e6;  // every frame earns its error reply
        s.ws_burst = 1e6;
        s.ws_flood_frames_per_sec = 1e9;
        s.ws_flood_burst = 1e9;
      });
      auto& metrics = gateway::GatewayMetrics::get();
      metrics.ws_queued_bytes_peak.set(0);
      auto paused_before = metrics.ws_reads_paused.value();
      auto budget_before = metrics.ws_budget_closes.value();
      auto slow_before = metrics.slow_consumer_closes.value();
      auto session = widget_session(fleet.a->port());
      RawWs client(fleet.a->port(), session.token, 4096);
      std::string burst;
      while (burst.size() < 64 * 1024) burst += one_frame;
      client.flood(burst, 4000ms);
      CHECK(eventually([&] {
        return metrics.ws_budget_closes.value() > budget_before ||
               metrics.slow_consumer_closes.value() > slow_before;
      }));
      CHECK(metrics.ws_reads_paused.value() > paused_before);
      auto peak = metrics.ws_queued_bytes_peak.value();
      INFO("peak counted bytes of the socket: " << peak);
      CHECK(peak > 32 * 1024);       // it did reach the budget ...
      CHECK(peak <= 64 * 1024);      // ... and never passed the hard cap
      CHECK(client.read_until_close() == 1008);
      CHECK(eventually([&] { return metrics.ws_queued_bytes.value() == 0; }));
    }
  };
  flood_with("unknown frame types", RawWs::frame(0x1, R"({"type":"x"})"));
  flood_with("binary frames", RawWs::frame(0x2, "\x01\x02"));
  flood_with("message.send to a conversation not joined (the error echoes both ids)",
             RawWs::frame(0x1, R"({"type":"message.send","conversation_id":")" +
                                   std::string(64, 'c') + R"(","client_id":")" +
                                   std::string(64, 'k') + R"(","text":"hi"})"));
}

TEST_CASE("over the rate a flood earns one rate_limited error per second, not one per frame") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  RawWs client(fleet.a->port(), session.token);
  std::string burst;
  for (int i = 0; i < 150; ++i) burst += RawWs::frame(0x1, R"({"type":"x"})");  // < WS_FLOOD_BURST
  auto started = Clock::now();
  REQUIRE(client.write_all(burst));
  client.send_text(R"({"type":"ping"})");  // rate-limited too: nothing answers it
  int unknown = 0;
  int limited = 0;
  while (auto f = client.read_frame(1500ms)) {
    auto o = json::parse(f->payload).as_object();
    if (o.at("code") == "unknown_type") ++unknown;
    if (o.at("code") == "rate_limited") ++limited;
  }
  auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
  CHECK(unknown <= 20 + static_cast<int>(seconds * 10) + 1);  // WS_RATE_BURST, then 10/s
  CHECK(limited >= 1);
  CHECK(limited <= 1 + static_cast<int>(seconds));
  std::this_thread::sleep_for(200ms);  // tokens refill: the socket is served again
  client.send_text(R"({"type":"ping"})");
  CHECK(client.read_json().at("type") == "pong");
}

TEST_CASE("frames of any kind past WS_FLOOD_BURST close the socket with 1008 at once") {
  Fleet fleet;  // defaults: 100 frames/s, burst 200
  auto& metrics = gateway::GatewayMetrics::get();
  auto closes_before = metrics.ws_flood_closes.value();
  auto session = widget_session(fleet.a->port());
  RawWs client(fleet.a->port(), session.token);
  std::string pings;
  for (int i = 0; i < 400; ++i) pings += RawWs::frame(0x9, "p");
  REQUIRE(client.write_all(pings));
  std::size_t frames = 0;
  CHECK(client.read_until_close(&frames) == 1008);
  INFO("pongs before the close: " << frames);
  CHECK(frames <= 201);  // at most the burst was answered (pongs coalesce, so usually fewer)
  CHECK(metrics.ws_flood_closes.value() == closes_before + 1);
}

TEST_CASE("an oversized frame is refused at its header with 1009") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  RawWs client(fleet.a->port(), session.token);
  std::string header = RawWs::frame(0x1, std::string(70000, 'x')).substr(0, 14);
  REQUIRE(client.write_all(header));  // the payload never comes
  CHECK(client.read_until_close() == 1009);

  RawWs fragments(fleet.a->port(), session.token);
  std::string first = RawWs::frame(0x1, std::string(10000, 'a'));
  first[0] = 0x01;  // FIN clear: more fragments follow
  std::string second = RawWs::frame(0x0, std::string(10000, 'b'));
  REQUIRE(fragments.write_all(first + second));  // 20000 > WS_MAX_FRAME_BYTES together
  CHECK(fragments.read_until_close() == 1009);
}

TEST_CASE("close frames are validated per RFC 6455 section 7.4") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  auto close_answer = [&](const std::string& payload) {
    RawWs client(fleet.a->port(), session.token);
    REQUIRE(client.write_all(RawWs::frame(0x8, payload)));
    return client.read_until_close();
  };
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    INFO("close code " << code);
    CHECK(close_answer(close_payload(static_cast<std::uint16_t>(code))) == 1002);
  }
  CHECK(close_answer(std::string(1, '\x03')) == 1002);                  // 1-byte payload
  CHECK(close_answer(close_payload(1000, "\xC3\x28 bad")) == 1007);    // reason not UTF-8
  CHECK(close_answer(close_payload(4000, "app")) == 4000);              // valid: echoed
  CHECK(close_answer(close_payload(1001)) == 1001);
  CHECK(close_answer("") == 1000);                                      // no code → 1000
}

TEST_CASE("a socket past its token's expiry is closed with 4001; renewing in-band keeps it") {
  Fleet fleet([](gateway::GatewaySettings& s) { s.ws_send_timeout = 1000ms; });  // 250 ms sweeps
  auto& metrics = gateway::GatewayMetrics::get();
  auto expired_before = metrics.ws_token_expired_closes.value();
  auto short_lived = signed_user_token(fleet.fakes, kTenant, 2s);
  WsClient lapsing(fleet.a->port(), short_lived);
  WsClient renewed(fleet.a->port(), short_lived);
  REQUIRE(lapsing.open());
  REQUIRE(renewed.open());

  // Refused renewals leave the old expiry: a bad token, another tenant's token.
  renewed.send_json({{"type", "auth"}, {"token", "not.a.jwt"}});
  CHECK(renewed.read_json().at("code") == "invalid_token");
  renewed.send_json({{"type", "auth"}, {"token", signed_user_token(fleet.fakes, kOtherTenant, 600s)}});
  CHECK(renewed.read_json().at("code") == "forbidden");
  auto fresh = signed_user_token(fleet.fakes, kTenant, 600s);
  renewed.send_json({{"type", "auth"}, {"token", fresh}});
  auto ok = renewed.read_json();
  CHECK(ok.at("type") == "auth.ok");
  CHECK(ok.at("expires_at").as_int64() >
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch()).count() + 500);

  boost::beast::error_code ec;
  while (lapsing.read(&ec, 6000ms)) {
  }
  CHECK(lapsing.close_reason().code == 4001);
  CHECK(lapsing.close_reason().reason == "token expired");
  CHECK(metrics.ws_token_expired_closes.value() > expired_before);
  renewed.expect_nothing_pending();  // past the first token's exp, still served
}

TEST_CASE("a visitor renews its widget session over REST and on the socket") {
  Fleet fleet;
  auto port = fleet.a->port();
  auto session = widget_session(port);
  auto other = widget_session(port);
  const std::string route = "/api/v1/widget/" + std::string(kPublicId) + "/sessions";
  auto r = http_call(port, http::verb::post, route, "", session.token);
  REQUIRE(r.status == 200);
  auto renewed = r.json();
  CHECK(renewed.at("conversation_id").as_string() == session.conversation_id);
  CHECK(renewed.at("visitor").at("name") == "Ann");
  CHECK(http_call(port, http::verb::post, route, "", user_token(fleet.fakes, kTenant)).status == 403);
  CHECK(http_call(port, http::verb::post, route, "", "forged.token.here").status == 401);

  WsClient v(port, session.token);
  REQUIRE(v.open());
  v.send_json({{"type", "auth"}, {"token", other.token}});  // another conversation's token
  CHECK(v.read_json().at("code") == "forbidden");
  v.send_json({{"type", "auth"}, {"token", renewed.at("token")}});
  CHECK(v.read_json().at("type") == "auth.ok");
  v.join(session.conversation_id, 0);
  CHECK(v.read_type("conversation.joined").at("last_seq").as_int64() == 1);
}

TEST_CASE("control characters in text fields are refused before any service sees them") {
  Fleet fleet;
  auto port = fleet.a->port();
  auto session = widget_session(port);
  WsClient v(port, session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 0);
  v.read_type("conversation.joined");
  v.send(R"({"type":"message.send","conversation_id":")" + session.conversation_id +
         R"(","client_id":"k1","text":"hi\u0000there"})");
  auto error = v.read_json();
  CHECK(error.at("type") == "error");
  CHECK(error.at("code") == "invalid_argument");
  CHECK(fleet.fakes.post_calls() == 0);
  v.expect_nothing_pending();  // the socket stays open

  auto owner = user_token(fleet.fakes, kTenant);
  auto r = http_call(port, http::verb::post, "/api/v1/bots", R"({"name":"Bot\u0000"})", owner);
  CHECK(r.status == 400);
  CHECK(r.error_code() == "invalid_argument");
  r = http_call(port, http::verb::post, "/api/v1/widget/" + std::string(kPublicId) + "/sessions",
                R"({"name":"\u001b[31mAnn"})");
  CHECK(r.status == 400);
  CHECK(r.error_code() == "invalid_argument");
  std::string multipart = "--B0undary\r\n"
                          "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                          "Content-Type: text/plain\r\n\r\n" +
                          std::string("nul\0inside", 10) + "\r\n--B0undary--\r\n";
  r = http_call(port, http::verb::post, "/api/v1/bots/b1/knowledge", multipart, owner,
                "multipart/form-data; boundary=B0undary");
  CHECK(r.status == 400);
  CHECK(r.error_code() == "invalid_argument");
}
