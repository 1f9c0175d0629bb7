// bench_bare_relay: the physical reference of the chat-ingest benchmark (bench/run_ingest.sh,
// docs/benchmarks.md "Chat ingest vs peers"). A minimal WebSocket relay through Redis: one
// thread, epoll, hiredis, OpenSSL for the handshake's SHA-1/base64; stores nothing.
//   bench_bare_relay PORT REDIS_PORT [REDIS_HOST]
// Wire (the gateway's JSON, docs/protocol.md, matched by prefix, not parsed):
//   {"type":"conversation.join","conversation_id":"X",...} → SUBSCRIBE chat:conv:X (first local
//       socket of X), answers {"type":"conversation.joined","conversation_id":"X","last_seq":0}
//   {"type":"message.send",...,"conversation_id":"X","client_id":"C",...} → PUBLISH chat:conv:X
//       the same object with "type":"message.new"; {"type":"message.ack","client_id":"C"} to the
//       sender once Redis answered the PUBLISH
//   every message on chat:conv:X (also what bench_ws_load publishes directly) → one text frame,
//       written to every local socket of X
// Frames per RFC 6455 section 5 (client frames masked, no fragmentation); handshake per 4.2.2.
// A socket whose unsent output exceeds 8 MiB is closed (the relay's only queue, bounded).
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::size_t kMaxOut = 8u << 20;
constexpr std::uint64_t kListenTag = 0, kPubTag = 1, kSubTag = 2;  // connection ids start at 3

struct Conn {
  int fd = -1;
  bool open = false;  // handshake done
  std::string in, out, room;
};

int epfd = -1;
std::uint64_t next_id = 3;
std::unordered_map<std::uint64_t, Conn> conns;
std::unordered_map<std::string, std::vector<std::uint64_t>> rooms;  // conversation → sockets
std::deque<std::pair<std::uint64_t, std::string>> pending_acks;     // per PUBLISH, in order
redisContext* pub = nullptr;
redisContext* sub = nullptr;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "bench_bare_relay: %s\n", what);
  std::exit(2);
}

/// The string value of `"key":"..."` in a JSON text (no escapes expected), empty when absent.
std::string field(std::string_view text, std::string_view key) {
  std::string pattern(1, '"');
  pattern.append(key).append("\":\"");
  auto at = text.find(pattern);
  if (at == std::string_view::npos) return {};
  auto begin = at + pattern.size(), end = text.find('"', begin);
  return end == std::string_view::npos ? std::string() : std::string(text.substr(begin, end - begin));
}

/// An unmasked server text (0x1) or control frame, FIN set (RFC 6455 section 5.2).
std::string frame(std::string_view payload, std::uint8_t opcode = 0x1) {
  std::string out;
  out.reserve(payload.size() + 10);
  out.push_back(static_cast<char>(0x80 | opcode));
  std::size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  return out.append(payload);
}

void close_conn(std::uint64_t id) {
  auto it = conns.find(id);
  if (it == conns.end()) return;
  if (!it->second.room.empty()) std::erase(rooms[it->second.room], id);
  epoll_ctl(epfd, EPOLL_CTL_DEL, it->second.fd, nullptr);
  ::close(it->second.fd);
  conns.erase(it);
}

void watch(Conn& c, std::uint64_t id, bool write) {
  epoll_event ev{EPOLLIN | (write ? EPOLLOUT : 0u), {.u64 = id}};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev);
}

/// Writes now what the socket takes; keeps the rest (bounded by kMaxOut). False when closed.
bool send_to(std::uint64_t id, std::string_view bytes) {
  Conn& c = conns[id];
  if (c.out.empty()) {
    ssize_t n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) return close_conn(id), false;
    bytes.remove_prefix(n < 0 ? 0 : static_cast<std::size_t>(n));
    if (bytes.empty()) return true;
    watch(c, id, true);
  }
  if (c.out.size() + bytes.size() > kMaxOut) return close_conn(id), false;
  c.out.append(bytes);
  return true;
}

void redis_send(redisContext* ctx, int argc, const char** argv, const std::size_t* lens) {
  if (redisAppendCommandArgv(ctx, argc, argv, lens) != REDIS_OK) die("hiredis append failed");
  for (int done = 0; !done;)
    if (redisBufferWrite(ctx, &done) != REDIS_OK) die("Redis write failed");
}

void on_text(std::uint64_t id, std::string_view text) {
  constexpr std::string_view kJoin = R"({"type":"conversation.join")";
  constexpr std::string_view kSend = R"({"type":"message.send")";
  Conn& c = conns[id];
  if (text.starts_with(kJoin)) {
    std::string conv = field(text, "conversation_id");
    if (conv.empty() || !c.room.empty()) return;
    c.room = conv;
    auto& members = rooms[conv];
    if (members.empty()) {
      std::string channel = "chat:conv:" + conv;
      const char* argv[] = {"SUBSCRIBE", channel.c_str()};
      const std::size_t lens[] = {9, channel.size()};
      redis_send(sub, 2, argv, lens);
    }
    members.push_back(id);
    send_to(id, frame(R"({"type":"conversation.joined","conversation_id":")" + conv +
                      R"(","last_seq":0})"));
  } else if (text.starts_with(kSend) && !c.room.empty() && field(text, "conversation_id") == c.room) {
    std::string channel = "chat:conv:" + c.room;
    std::string payload = R"({"type":"message.new")" + std::string(text.substr(kSend.size()));
    const char* argv[] = {"PUBLISH", channel.c_str(), payload.c_str()};
    const std::size_t lens[] = {7, channel.size(), payload.size()};
    redis_send(pub, 3, argv, lens);
    pending_acks.emplace_back(id, field(text, "client_id"));
  }
}

/// Handshake or frames from c.in; false when the socket was closed.
bool on_input(std::uint64_t id) {
  Conn& c = conns[id];
  if (!c.open) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return c.in.size() < 8192 || (close_conn(id), false);
    std::string head = c.in.substr(0, end);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char ch) { return std::tolower(ch); });
    auto at = head.find("\r\nsec-websocket-key:");
    if (at == std::string::npos) return close_conn(id), false;
    auto b = c.in.find_first_not_of(' ', at + 20), e = c.in.find("\r\n", b);
    std::string key = c.in.substr(b, e - b) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[EVP_MAX_MD_SIZE], accept[64];
    unsigned int len = 0;
    EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha1(), nullptr);
    EVP_EncodeBlock(accept, digest, static_cast<int>(len));
    c.in.erase(0, end + 4);
    c.open = true;
    if (!send_to(id, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                     "Upgrade\r\nSec-WebSocket-Accept: " + std::string(reinterpret_cast<char*>(accept)) + "\r\n\r\n"))
      return false;
  }
  std::size_t pos = 0;
  while (c.in.size() - pos >= 6) {
    auto* p = reinterpret_cast<const unsigned char*>(c.in.data() + pos);
    std::uint8_t opcode = p[0] & 0x0f;
    std::uint64_t n = p[1] & 0x7f;
    std::size_t header = 2;
    if (n == 126) n = (std::uint64_t{p[2]} << 8) | p[3], header = 4;
    if (n == 127) return close_conn(id), false;  // > 64 KiB: not this benchmark's traffic
    if (!(p[1] & 0x80) || !(p[0] & 0x80)) return close_conn(id), false;  // unmasked / fragmented
    if (c.in.size() - pos < header + 4 + n) break;
    std::string payload(c.in, pos + header + 4, n);
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(payload[i] ^ p[header + i % 4]);
    pos += header + 4 + n;
    if (opcode == 0x1) on_text(id, payload);
    else if (opcode == 0x9 && !send_to(id, frame(payload, 0xA))) return false;
    else if (opcode == 0x8) return send_to(id, frame(payload.substr(0, 2), 0x8)) && (close_conn(id), false);
    if (!conns.contains(id)) return false;
  }
  c.in.erase(0, pos);
  return true;
}

void on_redis(redisContext* ctx, bool is_sub) {
  if (redisBufferRead(ctx) != REDIS_OK) die("Redis read failed");
  void* raw = nullptr;
  while (redisGetReplyFromReader(ctx, &raw) == REDIS_OK && raw != nullptr) {
    auto* r = static_cast<redisReply*>(raw);
    if (r->type == REDIS_REPLY_ERROR) die(r->str);
    if (!is_sub && !pending_acks.empty()) {
      auto [id, client_id] = std::move(pending_acks.front());
      pending_acks.pop_front();
      if (conns.contains(id)) send_to(id, frame(R"({"type":"message.ack","client_id":")" + client_id + "\"}"));
    } else if (is_sub && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
               std::string_view(r->element[0]->str, r->element[0]->len) == "message") {
      std::string_view channel(r->element[1]->str, r->element[1]->len);
      std::string out = frame(std::string_view(r->element[2]->str, r->element[2]->len));
      auto it = rooms.find(std::string(channel.substr(channel.find_last_of(':') + 1)));
      if (it != rooms.end()) {
        auto members = it->second;  // send_to may close (and so erase from) the room
        for (auto member : members) send_to(member, out);
      }
    }
    freeReplyObject(r);
  }
}

redisContext* redis_connect(const char* host, int port, std::uint64_t tag) {
  redisContext* ctx = redisConnect(host, port);
  if (ctx == nullptr || ctx->err) die("cannot connect to Redis");
  epoll_event ev{EPOLLIN, {.u64 = tag}};
  epoll_ctl(epfd, EPOLL_CTL_ADD, ctx->fd, &ev);
  return ctx;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) die("usage: bench_bare_relay PORT REDIS_PORT [REDIS_HOST]");
  epfd = epoll_create1(EPOLL_CLOEXEC);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{AF_INET, htons(static_cast<std::uint16_t>(std::atoi(argv[1]))), {htonl(INADDR_LOOPBACK)}, {}};
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 4096) != 0)
    die("cannot listen");
  epoll_event lev{EPOLLIN, {.u64 = kListenTag}};
  epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev);
  const char* host = argc > 3 ? argv[3] : "127.0.0.1";
  pub = redis_connect(host, std::atoi(argv[2]), kPubTag);
  sub = redis_connect(host, std::atoi(argv[2]), kSubTag);
  std::fprintf(stderr, "bench_bare_relay: listening on 127.0.0.1:%s\n", argv[1]);
  std::vector<char> buffer(256 * 1024);
  epoll_event events[512];
  for (;;) {
    int n = epoll_wait(epfd, events, 512, -1);
    for (int i = 0; i < n; ++i) {
      std::uint64_t id = events[i].data.u64;
      if (id == kListenTag) {
        for (int fd; (fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conns[next_id].fd = fd;
          epoll_event ev{EPOLLIN, {.u64 = next_id++}};
          epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
        }
      } else if (id == kPubTag || id == kSubTag) {
        on_redis(id == kPubTag ? pub : sub, id == kSubTag);
      } else if (conns.contains(id)) {
        Conn& c = conns[id];
        if (events[i].events & EPOLLOUT) {
          ssize_t w = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
          if (w < 0 && errno != EAGAIN) { close_conn(id); continue; }
          c.out.erase(0, w < 0 ? 0 : static_cast<std::size_t>(w));
          if (c.out.empty()) watch(c, id, false);
        }
        if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
        ssize_t r = ::read(c.fd, buffer.data(), buffer.size());
        if (r == 0 || (r < 0 && errno != EAGAIN)) { close_conn(id); continue; }
        if (r > 0) c.in.append(buffer.data(), static_cast<std::size_t>(r));
        on_input(id);
      }
    }
  }
}
