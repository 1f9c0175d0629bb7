// bench_ws_load: a load client for the gateway's WebSocket fan-out (docs/benchmarks.md).
//
// One thread, raw POSIX sockets + epoll, no Beast/Asio. It
//   1. opens N WebSocket connections to one or more gateway URLs (RFC 6455 section 4.1 client
//      handshake, masked client frames per section 5.3), sends `conversation.join` on each and
//      waits for `conversation.joined` (docs/protocol.md);
//   2. holds them idle for a while and samples the gateway's VmRSS (KB per idle socket);
//   3. publishes `message.new` frames straight to Redis (PUBLISH chat:conv:<id>, the exact
//      production payload from libs/chatwire) at a fixed rate for a fixed time, with seq
//      continuing the conversation's last_seq without gaps, each text carrying its send time
//      ("t=<CLOCK_MONOTONIC ns>");
//   4. counts the deliveries (per-delivery latency, losses, duplicates, order) and the gateway's
//      CPU time (utime+stime from /proc/<pid>/stat) over the publishing window.
// Every phase has a time limit and the whole run a hard deadline (--deadline).
// --protocol relay|socketio speaks to the peers of bench/run_ingest.sh: bench_bare_relay (the
// gateway's JSON; message.send carries the sender's own "seq", as the peer stores nothing) and a
// Socket.IO 4 server (Engine.IO v4 over the websocket transport: `0{..}` open, `40` connect,
// `42["event",{..}]` events, ping `2` / pong `3`; bench/peers/socketio/server.mjs maps the
// gateway's JSON messages onto events of the same names).
// --cpu-pid: server processes (with their descendants) whose CPU time and RSS over the publishing
// window are reported as the server side (server_cpu_ms, server_rss_*_kb).
// --cpu-group NAME=PID: the same per named process tree (cpu_ms.NAME), e.g. gateway-1,
// channel-connector, postgres, redis.
// --rooms FILE: the rooms mode (docs/benchmarks.md "Rooms fan-out"; schedule in ws_load_rooms):
// one socket per member of the file, `room.join` instead of `conversation.join`, members post
// `message.send` to their room (--room-rate per room) and type before it (--typing), and the
// `typing` frames received are counted beside the messages.
// Output: a readable summary on stderr and one line `RESULT {json}` on stdout.

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <CLI/CLI.hpp>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "ws_load_rooms.hpp"

namespace botfactory::bench {
namespace {

constexpr std::string_view kWsGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 1.3
constexpr std::size_t kScratchSize = 256 * 1024;
constexpr std::size_t kMaxFrameBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxHandshakeBytes = 16 * 1024;
constexpr int kMaxEvents = 1024;
constexpr std::uint64_t kTimerTag = ~std::uint64_t{0};
constexpr std::uint64_t kRedisTag = ~std::uint64_t{0} - 1;
constexpr std::int64_t kNoReplay = std::int64_t{1} << 50;

std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_ws_load: %s\n", message.c_str());
  std::exit(2);
}

void random_bytes(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      die("getrandom failed");
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

/// Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)) (RFC 6455 section 4.2.2).
std::string websocket_accept(std::string_view key) {
  std::string input(key);
  input.append(kWsGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha1(), nullptr) != 1) {
    die("SHA-1 failed");
  }
  return base64(digest, len);
}

/// A masked client frame (RFC 6455 section 5.2/5.3), FIN set.
std::string client_frame(std::uint8_t opcode, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 14);
  out.push_back(static_cast<char>(0x80 | opcode));
  std::size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  unsigned char mask[4];
  random_bytes(mask, sizeof mask);
  out.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return out;
}

/// Integer after `key` in `text` (e.g. key = "\"seq\":"), nullopt when absent.
std::optional<std::int64_t> int_after(std::string_view text, std::string_view key,
                                      std::size_t from = 0) {
  auto pos = text.find(key, from);
  if (pos == std::string_view::npos) return std::nullopt;
  std::int64_t value = 0;
  const char* begin = text.data() + pos + key.size();
  auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc() || ptr == begin) return std::nullopt;
  return value;
}

// --- /proc sampling --------------------------------------------------------------------------

/// CPU time of a process (all threads), in nanoseconds.
struct CpuTime {
  std::int64_t user = 0;    // utime
  std::int64_t system = 0;  // stime (syscalls; on loopback also the TCP receive path)
  std::int64_t total() const { return user + system; }
  CpuTime& operator+=(const CpuTime& other) {
    user += other.user;
    system += other.system;
    return *this;
  }
};

/// utime and stime of a process from /proc/<pid>/stat (clock-tick resolution); zero if gone.
CpuTime process_cpu(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) return {};
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  std::int64_t utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14) utime = std::stoll(field);
    if (index == 15) stime = std::stoll(field);
  }
  static const std::int64_t tick_ns = 1'000'000'000 / sysconf(_SC_CLK_TCK);
  return CpuTime{utime * tick_ns, stime * tick_ns};
}

/// VmRSS of a process in KB from /proc/<pid>/status; -1 if gone.
std::int64_t process_rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

/// The pids of `roots` and all their descendants (one scan of /proc; ppid is field 4 of stat).
std::vector<int> process_tree(const std::vector<int>& roots) {
  std::multimap<int, int> children;
  if (DIR* proc = opendir("/proc")) {
    while (dirent* entry = readdir(proc)) {
      int pid = std::atoi(entry->d_name);
      if (pid <= 0) continue;
      std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
      std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream fields(stat.substr(close + 2));
      std::string state;
      int ppid = 0;
      if (fields >> state >> ppid) children.emplace(ppid, pid);
    }
    closedir(proc);
  }
  std::vector<int> out;
  std::vector<int> todo(roots.begin(), roots.end());
  while (!todo.empty()) {
    int pid = todo.back();
    todo.pop_back();
    if (std::find(out.begin(), out.end(), pid) != out.end()) continue;
    out.push_back(pid);
    auto [begin, end] = children.equal_range(pid);
    for (auto it = begin; it != end; ++it) todo.push_back(it->second);
  }
  return out;
}

/// CPU time (ns) of processes including their reaped children (utime+stime+cutime+cstime).
std::int64_t tree_cpu_ns(const std::vector<int>& pids) {
  static const std::int64_t tick_ns = 1'000'000'000 / sysconf(_SC_CLK_TCK);
  std::int64_t total = 0;
  for (int pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 > stat.size()) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int index = 3; index <= 17 && (fields >> field); ++index) {
      if (index >= 14) total += std::stoll(field) * tick_ns;
    }
  }
  return total;
}

/// Sum of the proportional set sizes (Pss, KB, /proc/<pid>/smaps_rollup) of processes: a page
/// shared by n of them counts 1/n in each (PostgreSQL's shared buffers once, not per backend).
std::int64_t tree_rss_kb(const std::vector<int>& pids) {
  std::int64_t total = 0;
  for (int pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("Pss:", 0) == 0) {
        total += std::stoll(line.substr(4));
        break;
      }
    }
  }
  return total;
}

/// Busy CPU time of the whole machine (all cores) in nanoseconds, from the "cpu" line of
/// /proc/stat (user+nice+system+irq+softirq+steal), to see how much else ran during a window.
std::int64_t machine_busy_ns() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  std::int64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
               steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  if (cpu != "cpu") return 0;
  static const long ticks = sysconf(_SC_CLK_TCK);
  return (user + nice + system + irq + softirq + steal) * (1'000'000'000 / ticks);
}

std::int64_t self_cpu_ns() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) {
    return std::int64_t{tv.tv_sec} * 1'000'000'000 + tv.tv_usec * 1000;
  };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

// --- options ---------------------------------------------------------------------------------

struct Url {
  std::string host;
  std::string port;
  std::string path;  // "/ws"
  sockaddr_storage address{};
  socklen_t address_len = 0;
};

struct Session {
  std::string token;
  std::string conversation_id;
};

/// Command-line settings (see parse_options()).
struct Options {
  std::vector<Url> urls;
  std::vector<Session> sessions;
  int connections = 100;
  std::int64_t since_seq = 0;
  double rate = 0;       // messages/s published (all conversations together); 0 = idle run
  double duration = 10;  // seconds of publishing
  double settle = 2;     // seconds idle after every socket joined, before sampling RSS
  double drain = 10;     // max seconds to wait for outstanding deliveries after publishing
  double connect_timeout = 60;
  double deadline = 300;  // hard limit for the whole run
  int connect_concurrency = 64;
  std::size_t text_pad = 0;  // extra bytes appended to each message text
  std::vector<int> gateway_pids;
  int redis_pid = 0;
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  std::string label;
  bool send_ws = false;  // --send-ws: send message.send over each conversation's first socket
  std::string protocol = "botfactory";  // botfactory | relay | socketio
  std::vector<int> cpu_pids;            // --cpu-pid: server process trees to sample
  std::vector<std::pair<std::string, int>> cpu_groups;  // --cpu-group NAME=PID
  bool rooms = false;       // --rooms FILE: sessions are room members (token, room id)
  double room_rate = 2;     // --room-rate: messages/s per room
  bool room_typing = true;  // --typing: senders type before posting
  double typing_lead = 3;   // --typing-lead: seconds a sender types before it posts
  std::string window_mark;  // --window-mark FILE: created when the measured window starts
};

Url parse_url(const std::string& text) {
  constexpr std::string_view kScheme = "ws://";
  if (text.rfind(kScheme, 0) != 0) die("only ws:// URLs are supported: " + text);
  std::string rest = text.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url url;
  url.path = slash == std::string::npos ? "/ws" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) die("URL needs a port: " + text);
  url.host = authority.substr(0, colon);
  url.port = authority.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  if (getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &result) != 0 || result == nullptr) {
    die("cannot resolve " + url.host);
  }
  std::memcpy(&url.address, result->ai_addr, result->ai_addrlen);
  url.address_len = result->ai_addrlen;
  freeaddrinfo(result);
  return url;
}

Session parse_session(const std::string& text, char separator) {
  auto pos = text.find(separator);
  if (pos == std::string::npos || pos == 0 || pos + 1 >= text.size()) {
    die("a session is TOKEN" + std::string(1, separator) + "CONVERSATION_ID");
  }
  return Session{text.substr(0, pos), text.substr(pos + 1)};
}

/// The command line (CLI11). Exits with a message on bad input (CLI11's own exit codes).
Options parse_options(int argc, char** argv) {
  Options o;
  std::vector<std::string> urls, sessions;
  std::string sessions_file, rooms_file;
  std::vector<std::string> cpu_groups;
  CLI::App app{
      "WebSocket fan-out load client for the BotFactory gateway (docs/benchmarks.md). Sockets "
      "are spread round-robin over the URLs and the sessions (a visitor token may join only its "
      "own conversation). --rate 0 only measures idle sockets. Prints a summary on stderr and "
      "`RESULT {json}` on stdout.",
      "bench_ws_load"};
  auto non_negative = CLI::NonNegativeNumber;
  app.add_option("--url", urls, "ws://HOST:PORT/ws (repeatable)")->required();
  app.add_option("--session", sessions, "TOKEN,CONVERSATION_ID (repeatable)");
  app.add_option("--sessions", sessions_file, "file with one \"TOKEN CONVERSATION_ID\" per line")
      ->check(CLI::ExistingFile);
  app.add_option("--connections", o.connections, "sockets to open")->check(CLI::PositiveNumber);
  app.add_option("--since-seq", o.since_seq, "since_seq of every join")->check(non_negative);
  app.add_option("--rate", o.rate, "messages/s published over all conversations")->check(non_negative);
  app.add_option("--duration", o.duration, "seconds of publishing")->check(non_negative);
  app.add_option("--settle", o.settle, "idle seconds before sampling RSS")->check(non_negative);
  app.add_option("--drain", o.drain, "max seconds to wait for deliveries")->check(non_negative);
  app.add_option("--connect-timeout", o.connect_timeout, "seconds")->check(non_negative);
  app.add_option("--deadline", o.deadline, "hard limit of the run, seconds")->check(non_negative);
  app.add_option("--connect-concurrency", o.connect_concurrency, "handshakes in flight")
      ->check(CLI::PositiveNumber);
  app.add_option("--text-pad", o.text_pad, "bytes appended to each message text")
      ->check(CLI::Range(0, 3900));
  app.add_option("--pid", o.gateway_pids, "gateway pid to sample (repeatable)");
  app.add_option("--redis-pid", o.redis_pid, "Redis pid to sample");
  app.add_option("--redis-host", o.redis_host, "Redis host");
  app.add_option("--redis-port", o.redis_port, "Redis port")->check(CLI::Range(1, 65535));
  app.add_option("--label", o.label, "case name in the output");
  app.add_flag("--send-ws", o.send_ws,
               "send each message as message.send over the conversation's first socket (stored "
               "by channel-connector) instead of publishing to Redis");
  app.add_option("--protocol", o.protocol,
                 "botfactory (the gateway), relay (bench_bare_relay: message.send carries the "
                 "sender's seq) or socketio (Socket.IO 4 peer, bench/peers/socketio)")
      ->check(CLI::IsMember({"botfactory", "relay", "socketio"}));
  app.add_option("--cpu-pid", o.cpu_pids,
                 "server process (with descendants) whose CPU and RSS count as the server side "
                 "(repeatable)");
  app.add_option("--cpu-group", cpu_groups,
                 "NAME=PID: a process (with descendants) whose CPU over the window is reported "
                 "as cpu_ms.NAME (repeatable; one NAME may repeat: summed)");
  app.add_option("--rooms", rooms_file,
                 "rooms mode: file of \"TOKEN ROOM_ID\" lines, one socket per member "
                 "(--connections is ignored); members post with message.send")
      ->check(CLI::ExistingFile);
  app.add_option("--room-rate", o.room_rate, "rooms mode: messages/s per room")
      ->check(CLI::PositiveNumber);
  app.add_option("--typing", o.room_typing, "rooms mode: 1 = senders send typing start (every 2.5 s "
                 "from --typing-lead s before) and stop right after posting; 0 = no typing");
  app.add_option("--window-mark", o.window_mark,
                 "file created (\"start\") when the measured window begins, e.g. for a profiler");
  app.add_option("--typing-lead", o.typing_lead, "rooms mode: seconds of typing before a post")
      ->check(CLI::Range(0.0, 30.0));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  for (const auto& url : urls) o.urls.push_back(parse_url(url));
  for (const auto& session : sessions) o.sessions.push_back(parse_session(session, ','));
  if (!sessions_file.empty()) {
    std::ifstream in(sessions_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) o.sessions.push_back(parse_session(line, ' '));
    }
  }
  for (const auto& group : cpu_groups) {
    auto eq = group.find('=');
    int pid = eq == std::string::npos ? 0 : std::atoi(group.c_str() + eq + 1);
    if (eq == 0 || pid <= 0) die("--cpu-group is NAME=PID: " + group);
    o.cpu_groups.emplace_back(group.substr(0, eq), pid);
  }
  if (!rooms_file.empty()) {
    std::vector<RoomMember> members;
    try {
      members = read_room_members(rooms_file);
    } catch (const std::exception& e) {
      die(e.what());
    }
    if (members.empty()) die("the members file is empty");
    for (auto& m : members) o.sessions.push_back(Session{std::move(m.token), std::move(m.room_id)});
    o.rooms = true;
    o.send_ws = true;
    o.connections = static_cast<int>(o.sessions.size());
    // Every post: message.send (+ typing frames), over all rooms: the rate the client reports.
    o.rate = 0;
  }
  if (o.sessions.empty()) die("at least one --session (or --sessions FILE) is needed");
  return o;
}

// --- the load client ---------------------------------------------------------------------------

enum class ConnState : std::uint8_t { kIdle, kConnecting, kHandshake, kJoining, kJoined, kClosed };

/// One WebSocket connection of the load client.
struct Conn {
  int fd = -1;
  ConnState state = ConnState::kIdle;
  std::uint32_t url = 0;
  std::uint32_t session = 0;
  std::uint32_t conv = 0;  // index into conversations_ (rooms mode: the member's room)
  bool want_write = false;
  std::string accept;         // expected Sec-WebSocket-Accept (cleared after the handshake)
  std::string in;             // unparsed input: the handshake response or a partial frame
  std::string out;            // unsent output
  std::string fragments;      // a fragmented text message being assembled
  std::int64_t last_seq = 0;  // highest live seq received
  std::int64_t received = 0;  // live deliveries counted
};

/// Per-conversation bookkeeping.
struct Conversation {
  std::string id;
  std::vector<std::int64_t> members;  // socket indexes, in file order (rooms mode)
  std::int64_t joined_sockets = 0;
  std::int64_t last_seq = 0;   // the highest conversation.joined last_seq
  std::int64_t first_seq = 0;  // first seq published (last_seq + 1)
  std::int64_t next_seq = 0;
  std::int64_t published = 0;
  std::int64_t acked = 0;       // --send-ws: message.ack received (stored)
  std::int64_t sender = -1;     // --send-ws: index of the socket that sends
};

/// Percentile (0..1) of sorted values; 0 when empty.
double percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  index = std::min(sorted.size() - 1, index == 0 ? 0 : index - 1);
  return sorted[index];
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

class LoadClient {
 public:
  explicit LoadClient(Options options) : o_(std::move(options)) {
    conns_.resize(static_cast<std::size_t>(o_.connections));
    std::map<std::string, std::uint32_t> index_of;  // conversation id -> conversations_ index
    for (const auto& session : o_.sessions) {
      if (index_of.emplace(session.conversation_id, conversations_.size()).second) {
        conversations_.emplace_back().id = session.conversation_id;
      }
    }
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      conns_[i].url = static_cast<std::uint32_t>(i % o_.urls.size());
      conns_[i].session = static_cast<std::uint32_t>(i % o_.sessions.size());
      conns_[i].conv = index_of.at(o_.sessions[conns_[i].session].conversation_id);
      conversations_[conns_[i].conv].members.push_back(static_cast<std::int64_t>(i));
    }
    if (o_.rooms) o_.rate = o_.room_rate * static_cast<double>(conversations_.size());
    scratch_.resize(kScratchSize);
    unsigned char tag[4];
    random_bytes(tag, sizeof tag);
    for (unsigned char byte : tag) run_tag_ += "0123456789abcdef"[byte >> 4], run_tag_ += "0123456789abcdef"[byte & 15];
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) die("epoll_create1 failed");
  }

  /// Runs every phase; returns the process exit code (0 ok, 1 failures/losses, 3 deadline).
  int run() {
    start_ns_ = mono_ns();
    hard_deadline_ns_ = start_ns_ + seconds(o_.deadline);
    if (o_.rate > 0 && !o_.send_ws) connect_redis();
    rss_before_kb_ = gateway_rss_kb();
    connect_phase();
    if (!timed_out_ && joined_ > 0) settle_phase();
    if (!timed_out_ && (o_.rate > 0 || o_.rooms) && joined_ > 0) publish_phase();
    close_all();
    return report();
  }

 private:
  static std::int64_t seconds(double s) { return static_cast<std::int64_t>(s * 1e9); }

  std::int64_t gateway_rss_kb() const {
    std::int64_t total = 0;
    for (int pid : o_.gateway_pids) total += std::max<std::int64_t>(0, process_rss_kb(pid));
    return total;
  }
  CpuTime gateway_cpu() const {
    CpuTime total;
    for (int pid : o_.gateway_pids) total += process_cpu(pid);
    return total;
  }

  // --- event loop ----------------------------------------------------------------------------

  /// Waits for events until `until_ns` (or the hard deadline) and dispatches them.
  void poll_once(std::int64_t until_ns) {
    std::int64_t now = mono_ns();
    if (now >= hard_deadline_ns_) {
      timed_out_ = true;
      return;
    }
    until_ns = std::min(until_ns, hard_deadline_ns_);
    int timeout_ms = until_ns <= now ? 0 : static_cast<int>((until_ns - now + 999'999) / 1'000'000);
    epoll_event events[kMaxEvents];
    int n = epoll_wait(epoll_, events, kMaxEvents, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) return;
      die("epoll_wait failed");
    }
    for (int i = 0; i < n; ++i) {
      std::uint64_t tag = events[i].data.u64;
      if (tag == kTimerTag) {
        on_timer();
      } else if (tag == kRedisTag) {
        on_redis_readable();
      } else {
        on_conn_event(conns_[tag], events[i].events);
      }
    }
  }

  void watch(Conn& c, bool write) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (write ? EPOLLOUT : 0u);
    event.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
    c.want_write = write;
  }

  // --- phase 1: connect and join --------------------------------------------------------------

  void connect_phase() {
    std::int64_t until = mono_ns() + seconds(o_.connect_timeout);
    while (!timed_out_ && joined_ + failed_ < o_.connections) {
      while (in_flight_ < o_.connect_concurrency && next_conn_ < o_.connections) {
        start_connect(conns_[static_cast<std::size_t>(next_conn_++)]);
      }
      if (mono_ns() >= until) {
        std::fprintf(stderr, "bench_ws_load: connect timeout, %lld of %d sockets joined\n",
                     static_cast<long long>(joined_), o_.connections);
        break;
      }
      poll_once(until);
    }
    // Anything still half-open is a failure.
    for (auto& c : conns_) {
      if (c.state != ConnState::kJoined && c.state != ConnState::kClosed)
        fail(c, "connect timeout");
    }
  }

  void start_connect(Conn& c) {
    const Url& url = o_.urls[c.url];
    c.fd = socket(url.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return fail(c, std::string("socket: ") + std::strerror(errno));
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++in_flight_;
    c.state = ConnState::kConnecting;
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    event.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
    c.want_write = true;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event) != 0) {
      return fail(c, std::string("epoll_ctl: ") + std::strerror(errno));
    }
    int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&url.address), url.address_len);
    if (rc != 0 && errno != EINPROGRESS)
      return fail(c, std::string("connect: ") + std::strerror(errno));
  }

  void send_handshake(Conn& c) {
    const Url& url = o_.urls[c.url];
    unsigned char key_bytes[16];
    random_bytes(key_bytes, sizeof key_bytes);
    std::string key = base64(key_bytes, sizeof key_bytes);
    c.accept = websocket_accept(key);
    std::string request =
        "GET " + url.path + (url.path.find('?') == std::string::npos ? "?token=" : "&token=") +
        o_.sessions[c.session].token +
        " HTTP/1.1\r\nHost: " + url.host + ":" + url.port +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
        "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    c.state = ConnState::kHandshake;
    send_bytes(c, request);
  }

  /// Parses the handshake response in c.in; on success sends the join and keeps extra bytes.
  void on_handshake_data(Conn& c) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (c.in.size() > kMaxHandshakeBytes) fail(c, "handshake response too long");
      return;
    }
    std::string head = c.in.substr(0, end);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    auto status_end = head.find("\r\n");
    std::string status = head.substr(0, status_end);
    if (status.rfind("HTTP/1.1 101", 0) != 0) return fail(c, "handshake: " + status);
    auto pos = lower.find("\r\nsec-websocket-accept:");
    if (pos == std::string::npos) return fail(c, "handshake: no Sec-WebSocket-Accept");
    auto value_begin = head.find_first_not_of(' ', pos + 23);
    auto value_end = head.find("\r\n", value_begin);
    std::string value = head.substr(
        value_begin, value_end == std::string::npos ? std::string::npos : value_end - value_begin);
    while (!value.empty() && value.back() == ' ') value.pop_back();
    if (value != c.accept) return fail(c, "handshake: wrong Sec-WebSocket-Accept");
    std::string().swap(c.accept);
    c.in.erase(0, end + 4);
    c.state = ConnState::kJoining;
    // Socket.IO: connect to the main namespace first; the join follows its `40` answer.
    if (socketio()) return send_bytes(c, client_frame(0x1, "40"));
    send_join(c);
  }

  bool socketio() const { return o_.protocol == "socketio"; }

  /// One application message {"type":TYPE,FIELDS} in the protocol's framing (Socket.IO: the
  /// event `42["TYPE",{FIELDS}]`), as a masked text frame.
  std::string app_frame(std::string_view type, std::string_view fields) const {
    std::string text;
    text.reserve(type.size() + fields.size() + 16);
    if (socketio()) {
      text.append("42[\"").append(type).append("\",{").append(fields).append("}]");
    } else {
      text.append("{\"type\":\"").append(type).append("\",").append(fields).append("}");
    }
    return client_frame(0x1, text);
  }

  void send_join(Conn& c) {
    if (o_.rooms) {  // since_seq above last_seq: no replay (the gateway caps it at last_seq)
      return send_bytes(c, app_frame("room.join", "\"room_id\":\"" +
                                                      o_.sessions[c.session].conversation_id +
                                                      "\",\"since_seq\":" + std::to_string(kNoReplay)));
    }
    send_bytes(c, app_frame("conversation.join",
                            "\"conversation_id\":\"" + o_.sessions[c.session].conversation_id +
                                "\",\"since_seq\":" + std::to_string(o_.since_seq)));
  }

  /// Engine.IO v4 / Socket.IO v4 packets (socket.io-protocol: 0 open, 2 ping, 40 connect,
  /// 41 disconnect, 42 event, 44 connect error); events become {"type":EVENT,...} for on_text.
  void on_socketio_text(Conn& c, std::string_view text) {
    if (text == "2") {
      ++pings_;
      return send_bytes(c, client_frame(0x1, "3"));
    }
    if (text.starts_with("42[\"")) {
      auto name_end = text.find('"', 4);
      if (name_end == std::string_view::npos || name_end + 1 >= text.size()) {
        ++other_frames_;
        return;
      }
      std::string_view name = text.substr(4, name_end - 4);
      std::string_view rest = text.substr(name_end + 1);  // ,{...}] or ]
      std::string object = "{\"type\":\"" + std::string(name) + "\"";
      if (rest.size() > 4 && rest[0] == ',' && rest[1] == '{' && rest.back() == ']') {
        object.push_back(',');
        object.append(rest.substr(2, rest.size() - 3));  // fields and the closing brace
      } else {
        object.push_back('}');
      }
      return on_text(c, object);
    }
    if (text.starts_with("40")) {
      if (c.state == ConnState::kJoining) send_join(c);
      return;
    }
    if (text.starts_with("0")) return;  // Engine.IO open {sid, pingInterval, ...}
    if (text.starts_with("41") || text.starts_with("44") || text == "1") {
      return fail_or_close(c, "socket.io: " + std::string(text.substr(0, 200)));
    }
    ++other_frames_;
  }

  void fail(Conn& c, const std::string& why) {
    if (c.state == ConnState::kClosed) return;
    if (c.state != ConnState::kJoined) {
      ++failed_;
      if (c.state != ConnState::kIdle) --in_flight_;
      if (first_failure_.empty()) first_failure_ = why;
    }
    close_conn(c);
  }

  void close_conn(Conn& c) {
    if (c.state == ConnState::kJoined) {
      ++closed_after_join_;
      --open_joined_;
    }
    if (c.fd >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      c.fd = -1;
    }
    c.state = ConnState::kClosed;
    std::string().swap(c.in);
    std::string().swap(c.out);
    std::string().swap(c.fragments);
  }

  // --- I/O -----------------------------------------------------------------------------------

  void send_bytes(Conn& c, std::string_view bytes) {
    if (c.fd < 0) return;
    if (!c.out.empty()) {
      c.out.append(bytes);
      return;
    }
    ssize_t n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return fail_or_close(c, "send failed");
      n = 0;
    }
    if (static_cast<std::size_t>(n) < bytes.size()) {
      c.out.assign(bytes.substr(static_cast<std::size_t>(n)));
      if (!c.want_write) watch(c, true);
    }
  }

  void fail_or_close(Conn& c, const std::string& why) {
    if (c.state == ConnState::kJoined) {
      ++abnormal_closes_;
      close_conn(c);
    } else {
      fail(c, why);
    }
  }

  void on_conn_event(Conn& c, std::uint32_t events) {
    if (c.state == ConnState::kClosed) return;
    if (c.state == ConnState::kConnecting) {
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        int error = 0;
        socklen_t len = sizeof error;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0) return fail(c, std::string("connect: ") + std::strerror(error));
        watch(c, false);
        send_handshake(c);
      }
      return;
    }
    if ((events & EPOLLOUT) && !c.out.empty()) {
      ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return fail_or_close(c, "send failed");
      if (n > 0) c.out.erase(0, static_cast<std::size_t>(n));
      if (c.out.empty()) watch(c, false);
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(c);
  }

  void on_readable(Conn& c) {
    for (;;) {
      ssize_t n = ::read(c.fd, scratch_.data(), scratch_.size());
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR) continue;
        return fail_or_close(c, "read failed");
      }
      if (n == 0) return fail_or_close(c, "connection closed by the gateway");
      recv_ns_ = mono_ns();
      std::string_view data(scratch_.data(), static_cast<std::size_t>(n));
      if (c.state == ConnState::kHandshake) {
        c.in.append(data);
        on_handshake_data(c);
        if (c.state == ConnState::kJoining && !c.in.empty()) {
          std::string pending;
          pending.swap(c.in);
          consume(c, pending);
        }
      } else if (c.in.empty()) {
        consume(c, data);
      } else {
        c.in.append(data);
        std::string pending;
        pending.swap(c.in);
        consume(c, pending);
      }
      if (c.state == ConnState::kClosed) return;
      if (static_cast<std::size_t>(n) < scratch_.size()) return;
    }
  }

  /// Parses whole frames from `data`; keeps a partial frame in c.in.
  void consume(Conn& c, std::string_view data) {
    std::size_t pos = 0;
    while (c.state != ConnState::kClosed) {
      std::size_t avail = data.size() - pos;
      if (avail < 2) break;
      auto b0 = static_cast<std::uint8_t>(data[pos]);
      auto b1 = static_cast<std::uint8_t>(data[pos + 1]);
      bool fin = (b0 & 0x80) != 0;
      std::uint8_t opcode = b0 & 0x0f;
      bool masked = (b1 & 0x80) != 0;
      std::uint64_t length = b1 & 0x7f;
      std::size_t header = 2;
      if (length == 126) {
        if (avail < 4) break;
        length = (std::uint64_t{static_cast<std::uint8_t>(data[pos + 2])} << 8) |
                 static_cast<std::uint8_t>(data[pos + 3]);
        header = 4;
      } else if (length == 127) {
        if (avail < 10) break;
        length = 0;
        for (int i = 0; i < 8; ++i)
          length = (length << 8) | static_cast<std::uint8_t>(data[pos + 2 + i]);
        header = 10;
      }
      if (length > kMaxFrameBytes) return fail_or_close(c, "frame too big");
      std::size_t mask_at = header;
      if (masked) header += 4;
      if (avail < header + length) break;
      std::string unmasked;
      std::string_view payload = data.substr(pos + header, length);
      if (masked) {  // servers must not mask (RFC 6455 5.1), but be lenient
        unmasked.assign(payload);
        for (std::size_t i = 0; i < unmasked.size(); ++i) {
          unmasked[i] = static_cast<char>(unmasked[i] ^ data[pos + mask_at + i % 4]);
        }
        payload = unmasked;
      }
      pos += header + length;
      on_frame(c, fin, opcode, payload);
    }
    if (c.state != ConnState::kClosed && pos < data.size()) c.in.assign(data.substr(pos));
  }

  void on_frame(Conn& c, bool fin, std::uint8_t opcode, std::string_view payload) {
    switch (opcode) {
      case 0x0:  // continuation
        c.fragments.append(payload);
        if (fin) {
          std::string whole;
          whole.swap(c.fragments);
          socketio() ? on_socketio_text(c, whole) : on_text(c, whole);
        }
        return;
      case 0x1:
        if (!fin) {
          c.fragments.assign(payload);
          return;
        }
        return socketio() ? on_socketio_text(c, payload) : on_text(c, payload);
      case 0x2:
        return;  // binary: not part of the protocol
      case 0x8: {
        int code = payload.size() >= 2 ? (static_cast<std::uint8_t>(payload[0]) << 8) |
                                             static_cast<std::uint8_t>(payload[1])
                                       : 1005;
        ++closes_by_code_[code];
        std::string echo(payload.substr(0, std::min<std::size_t>(2, payload.size())));
        send_bytes(c, client_frame(0x8, echo));
        if (c.state == ConnState::kJoined) {
          close_conn(c);
        } else {
          fail(c, "closed by the gateway with " + std::to_string(code));
        }
        return;
      }
      case 0x9:
        ++pings_;
        return send_bytes(c, client_frame(0xA, payload));
      case 0xA:
        return;
      default:
        return fail_or_close(c, "unknown opcode");
    }
  }

  void on_text(Conn& c, std::string_view text) {
    constexpr std::string_view kNew = R"({"type":"message.new")";
    constexpr std::string_view kJoined = R"({"type":"conversation.joined")";
    constexpr std::string_view kRoomJoined = R"({"type":"room.joined")";
    constexpr std::string_view kTyping = R"({"type":"typing")";
    constexpr std::string_view kPresence = R"({"type":"presence")";
    constexpr std::string_view kError = R"({"type":"error")";
    if (text.substr(0, kNew.size()) == kNew) return on_message_new(c, text);
    if (text.substr(0, kTyping.size()) == kTyping) {
      if (publish_start_ns_ > 0 && window_end_ns_ == 0) ++typing_received_;
      return;
    }
    if (text.substr(0, kPresence.size()) == kPresence) {
      ++presence_received_;
      return;
    }
    if (text.substr(0, kJoined.size()) == kJoined ||
        text.substr(0, kRoomJoined.size()) == kRoomJoined) {
      if (c.state != ConnState::kJoining) return;
      auto last_seq = int_after(text, "\"last_seq\":");
      auto& conv = conversations_[c.conv];
      conv.last_seq = std::max(conv.last_seq, last_seq.value_or(0));
      ++conv.joined_sockets;
      if (conv.sender < 0) conv.sender = &c - conns_.data();
      c.last_seq = last_seq.value_or(0);
      c.state = ConnState::kJoined;
      --in_flight_;
      ++joined_;
      ++open_joined_;
      return;
    }
    constexpr std::string_view kAck = R"({"type":"message.ack")";
    if (o_.send_ws && text.substr(0, kAck.size()) == kAck) {
      ++conversations_[c.conv].acked;
      ++replies_;
      return;
    }
    if (text.substr(0, kError.size()) == kError) {
      ++error_frames_;
      if (o_.send_ws && text.find("\"client_id\":\"b") != std::string_view::npos) {
        ++replies_;
        ++refused_;
        if (text.find("\"unavailable\"") != std::string_view::npos) {
          if (refused_unavailable_++ == 0) first_unavailable_ns_ = recv_ns_;
        }
        if (first_error_.empty()) first_error_ = std::string(text.substr(0, 300));
        return;
      }
      if (first_error_.empty()) first_error_ = std::string(text.substr(0, 300));
      if (c.state == ConnState::kJoining)
        fail(c, "join refused: " + std::string(text.substr(0, 200)));
      return;
    }
    ++other_frames_;
  }

  void on_message_new(Conn& c, std::string_view text) {
    auto seq = int_after(text, "\"seq\":");
    constexpr std::string_view kStamp = "\"text\":\"t=";
    auto stamp = int_after(text, kStamp);
    if (!seq || !stamp) {
      ++other_frames_;  // a replayed message (the greeting) or someone else's
      return;
    }
    const auto& conv = conversations_[c.conv];
    if (conv.first_seq == 0 || *seq < conv.first_seq) {
      ++other_frames_;
      return;
    }
    if (*seq <= c.last_seq) {
      ++duplicates_;
      return;
    }
    if (*seq != c.last_seq + 1) ++out_of_order_;
    c.last_seq = *seq;
    ++c.received;
    ++received_;
    last_delivery_ns_ = recv_ns_;
    std::int64_t latency_us = (recv_ns_ - *stamp) / 1000;
    latencies_us_.push_back(
        static_cast<std::uint32_t>(std::clamp<std::int64_t>(latency_us, 0, UINT32_MAX)));
  }

  // --- phase 2: idle sockets -------------------------------------------------------------------

  void settle_phase() {
    std::int64_t begin = mono_ns();
    std::int64_t cpu_begin = gateway_cpu().total();
    std::int64_t until = begin + seconds(o_.settle);
    while (!timed_out_ && mono_ns() < until) poll_once(until);
    idle_cpu_pct_ = 100.0 * static_cast<double>(gateway_cpu().total() - cpu_begin) /
                    static_cast<double>(std::max<std::int64_t>(1, mono_ns() - begin));
    rss_idle_kb_ = gateway_rss_kb();
    idle_open_ = open_joined_;
  }

  // --- phase 3: publish and count -------------------------------------------------------------

  void connect_redis() {
    timeval timeout{5, 0};
    redis_ = redisConnectWithTimeout(o_.redis_host.c_str(), o_.redis_port, timeout);
    if (redis_ == nullptr || redis_->err != 0) {
      die("cannot connect to Redis at " + o_.redis_host + ":" + std::to_string(o_.redis_port));
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kRedisTag;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, redis_->fd, &event);
  }

  void publish_phase() {
    if (o_.rooms) return room_publish_phase();
    for (auto& conv : conversations_) {
      conv.first_seq = conv.last_seq + 1;
      conv.next_seq = conv.first_seq;
    }
    total_messages_ = std::max<std::int64_t>(1, std::llround(o_.rate * o_.duration));
    add_timer();
    begin_window();
    auto period = static_cast<std::int64_t>(1e9 / o_.rate);
    period = std::max<std::int64_t>(period, 1);
    itimerspec spec{};
    spec.it_interval.tv_sec = period / 1'000'000'000;
    spec.it_interval.tv_nsec = period % 1'000'000'000;
    std::int64_t first = publish_start_ns_ + period;
    spec.it_value.tv_sec = first / 1'000'000'000;
    spec.it_value.tv_nsec = first % 1'000'000'000;
    timerfd_settime(timer_, TFD_TIMER_ABSTIME, &spec, nullptr);
    publish(1);

    while (!timed_out_ && published_ < total_messages_) {
      poll_once(hard_deadline_ns_);
      sample_server_rss();
    }
    end_window();
  }

  void add_timer() {
    timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (timer_ < 0) die("timerfd_create failed");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kTimerTag;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &event);
  }

  /// The start of the measured window: CPU and memory of every sampled process, now.
  void begin_window() {
    server_pids_ = process_tree(o_.cpu_pids);
    server_cpu_start_ns_ = tree_cpu_ns(server_pids_);
    server_rss_before_kb_ = server_rss_peak_kb_ = tree_rss_kb(server_pids_);
    group_cpu_start_ns_.clear();
    for (const auto& [name, pid] : o_.cpu_groups) {
      group_cpu_start_ns_.push_back(tree_cpu_ns(process_tree({pid})));
    }
    cpu_start_ = gateway_cpu();
    redis_cpu_start_ns_ = o_.redis_pid > 0 ? process_cpu(o_.redis_pid).total() : 0;
    self_cpu_start_ns_ = self_cpu_ns();
    machine_start_ns_ = machine_busy_ns();
    publish_start_ns_ = mono_ns();
    if (!o_.window_mark.empty()) std::ofstream(o_.window_mark) << "start\n";
  }

  /// Sending is over: stops the timer, waits (at most --drain s) for the outstanding deliveries
  /// and answers, and ends the measured window.
  void end_window() {
    publish_end_ns_ = mono_ns();
    itimerspec disarm{};
    timerfd_settime(timer_, 0, &disarm, nullptr);

    std::int64_t until = publish_end_ns_ + seconds(o_.drain);
    while (!timed_out_ && mono_ns() < until && (received_ < expected() || replies_ < published_)) {
      poll_once(until);
      sample_server_rss();
    }
    window_end_ns_ = mono_ns();
    server_cpu_end_ns_ = tree_cpu_ns(process_tree(o_.cpu_pids));
    server_rss_after_kb_ = tree_rss_kb(server_pids_);
    group_cpu_end_ns_.clear();
    for (const auto& [name, pid] : o_.cpu_groups) {
      group_cpu_end_ns_.push_back(tree_cpu_ns(process_tree({pid})));
    }
    cpu_end_ = gateway_cpu();
    redis_cpu_end_ns_ = o_.redis_pid > 0 ? process_cpu(o_.redis_pid).total() : 0;
    self_cpu_end_ns_ = self_cpu_ns();
    machine_end_ns_ = machine_busy_ns();
    rss_after_kb_ = gateway_rss_kb();
  }

  // --- rooms mode (schedule: ws_load_rooms) ---------------------------------------------------

  /// Rooms: a warm-up of --typing-lead s (the first posts' typing), then the window: every
  /// scheduled typing start / post at its time (a 2 ms timer), then the drain.
  void room_publish_phase() {
    RoomScheduleSettings settings;
    for (auto& conv : conversations_) {
      conv.first_seq = conv.last_seq + 1;
      conv.next_seq = conv.first_seq;
      settings.members.push_back(static_cast<std::uint32_t>(conv.members.size()));
    }
    settings.rate_per_room = o_.room_rate;
    settings.duration_s = o_.duration;
    settings.typing = o_.room_typing;
    settings.typing_lead_ns = seconds(o_.typing_lead);
    schedule_ = room_schedule(settings);
    total_messages_ = std::count_if(schedule_.begin(), schedule_.end(), [](const RoomEvent& e) {
      return e.action == RoomAction::kSend;
    });
    add_timer();
    itimerspec spec{};
    spec.it_interval.tv_nsec = 2'000'000;
    spec.it_value.tv_nsec = 2'000'000;
    timerfd_settime(timer_, 0, &spec, nullptr);
    room_zero_ns_ = mono_ns() + (o_.room_typing ? settings.typing_lead_ns : 0);
    fire_room_events();
    while (!timed_out_ && mono_ns() < room_zero_ns_) poll_once(room_zero_ns_);
    begin_window();
    while (!timed_out_ && next_event_ < schedule_.size()) {
      poll_once(hard_deadline_ns_);
      sample_server_rss();
    }
    end_window();
  }

  /// Sends every scheduled event that is due (a socket that is not joined skips its events).
  void fire_room_events() {
    const std::int64_t now = mono_ns();
    while (next_event_ < schedule_.size() && room_zero_ns_ + schedule_[next_event_].at_ns <= now) {
      const RoomEvent& event = schedule_[next_event_++];
      auto& conv = conversations_[event.room];
      auto index = conv.members[event.member];
      Conn& c = conns_[static_cast<std::size_t>(index)];
      if (c.state != ConnState::kJoined) {
        ++room_skipped_;
        continue;
      }
      if (event.action == RoomAction::kTypingStart) {
        send_typing(c, conv, "start");
        continue;
      }
      send_message(conv, published_, index);
      ++conv.next_seq;
      ++conv.published;
      ++published_;
      if (o_.room_typing) send_typing(c, conv, "stop");
    }
  }

  void send_typing(Conn& c, const Conversation& conv, std::string_view state) {
    send_bytes(c, app_frame("typing", R"("conversation_id":)" + json_string(conv.id) +
                                          R"(,"state":")" + std::string(state) + "\""));
    if (publish_start_ns_ > 0) ++typing_sent_;
  }

  /// The server side's memory (Pss) and the gateways' RSS every 500 ms while publishing and draining (peak kept).
  void sample_server_rss() {
    if (server_pids_.empty()) return;
    std::int64_t now = mono_ns();
    if (now - last_rss_sample_ns_ < 500'000'000) return;
    last_rss_sample_ns_ = now;
    server_rss_peak_kb_ = std::max(server_rss_peak_kb_, tree_rss_kb(server_pids_));
    gw_rss_peak_kb_ = std::max(gw_rss_peak_kb_, gateway_rss_kb());
  }

  /// Deliveries expected so far: every published message times the sockets joined to its
  /// conversation (sockets closed by the gateway later still count: their misses are losses).
  std::int64_t expected() const {
    std::int64_t total = 0;
    for (const auto& conv : conversations_)
      total += (o_.send_ws ? conv.acked : conv.published) * conv.joined_sockets;
    return total;
  }

  void on_timer() {
    std::uint64_t expirations = 0;
    if (::read(timer_, &expirations, sizeof expirations) != sizeof expirations) return;
    if (o_.rooms) return fire_room_events();
    publish(static_cast<std::int64_t>(expirations));
  }

  void publish(std::int64_t count) {
    count = std::min(count, total_messages_ - published_);
    for (std::int64_t i = 0; i < count; ++i) {
      auto index =
          static_cast<std::size_t>(published_ % static_cast<std::int64_t>(conversations_.size()));
      auto& conv = conversations_[index];
      if (o_.send_ws) {
        send_message(conv, published_);
        ++conv.next_seq;
        ++conv.published;
        ++published_;
        continue;
      }
      chat::v1::Message message;
      message.set_id(botfactory::common::random_uuid());
      message.set_conversation_id(conv.id);
      message.set_seq(conv.next_seq++);
      message.mutable_sender()->set_kind(common::v1::SENDER_KIND_BOT);
      message.mutable_sender()->set_id("00000000-0000-4000-8000-00000000be9c");
      message.mutable_sender()->set_name("Bench Bot");
      timespec wall{};
      clock_gettime(CLOCK_REALTIME, &wall);
      *message.mutable_created_at() =
          rpc::timestamp_from_micros(std::int64_t{wall.tv_sec} * 1'000'000 + wall.tv_nsec / 1000);
      std::string text = "t=" + std::to_string(mono_ns());
      text.append(o_.text_pad, 'x');
      message.set_text(std::move(text));
      std::string payload = chatwire::encode_message_new(message);
      std::string channel = chatwire::conversation_channel(conv.id);
      const char* argv[] = {"PUBLISH", channel.c_str(), payload.c_str()};
      const std::size_t lens[] = {7, channel.size(), payload.size()};
      if (redisAppendCommandArgv(redis_, 3, argv, lens) != REDIS_OK) die("hiredis append failed");
      int done = 0;
      while (!done) {
        if (redisBufferWrite(redis_, &done) != REDIS_OK) die("Redis write failed");
      }
      ++conv.published;
      ++published_;
    }
  }

  /// --send-ws: a message.send {conversation_id, client_id "b<run tag>-<n>", text "t=<mono ns>"}
  /// on the conversation's sending socket.
  /// Peers (--protocol relay|socketio) store nothing: the message carries the sender's "seq".
  void send_message(const Conversation& conv, std::int64_t n, std::int64_t sender = -1) {
    if (sender < 0) sender = conv.sender;
    if (sender < 0) return;
    std::string text = "t=" + std::to_string(mono_ns());
    text.append(o_.text_pad, 'x');
    std::string fields = R"("conversation_id":)" + json_string(conv.id) +
                         R"(,"client_id":"b)" + run_tag_ + "-" + std::to_string(n) + "\"";
    if (o_.protocol != "botfactory") fields += R"(,"seq":)" + std::to_string(conv.next_seq);
    fields += R"(,"text":")" + text + "\"";
    send_bytes(conns_[static_cast<std::size_t>(sender)], app_frame("message.send", fields));
  }

  void on_redis_readable() {
    if (redisBufferRead(redis_) != REDIS_OK) die("Redis read failed");
    void* raw = nullptr;
    while (redisGetReplyFromReader(redis_, &raw) == REDIS_OK && raw != nullptr) {
      auto* reply = static_cast<redisReply*>(raw);
      if (reply->type == REDIS_REPLY_INTEGER) {
        min_receivers_ =
            replies_ == 0 ? reply->integer : std::min<std::int64_t>(min_receivers_, reply->integer);
      } else if (reply->type == REDIS_REPLY_ERROR) {
        die(std::string("Redis error: ") + reply->str);
      }
      ++replies_;
      freeReplyObject(reply);
      raw = nullptr;
    }
  }

  // --- end -----------------------------------------------------------------------------------

  void close_all() {
    for (auto& c : conns_) {
      if (c.fd >= 0) {
        if (c.state == ConnState::kJoined) {
          // Best effort close frame (1000); the gateway sees EOF right after anyway.
          std::string frame = client_frame(0x8, std::string("\x03\xe8", 2));
          [[maybe_unused]] auto n = ::send(c.fd, frame.data(), frame.size(), MSG_NOSIGNAL);
          --open_joined_;
        }
        epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
        c.state = ConnState::kClosed;
      }
    }
    if (timer_ >= 0) ::close(timer_);
    if (redis_ != nullptr) redisFree(redis_);
    ::close(epoll_);
  }

  int report() {
    std::sort(latencies_us_.begin(), latencies_us_.end());
    auto ms = [](double us) { return us / 1000.0; };
    const bool published = published_ > 0;
    std::int64_t expected_total = expected();
    std::int64_t lost = std::max<std::int64_t>(0, expected_total - received_);
    double publish_s =
        published ? static_cast<double>(publish_end_ns_ - publish_start_ns_) / 1e9 : 0;
    double window_s = published ? static_cast<double>(window_end_ns_ - publish_start_ns_) / 1e9 : 0;
    double delivery_s =
        received_ > 0 ? static_cast<double>(last_delivery_ns_ - publish_start_ns_) / 1e9 : 0;
    double rate = delivery_s > 0 ? static_cast<double>(received_) / delivery_s : 0;
    double gw_cpu_ms =
        published ? static_cast<double>(cpu_end_.total() - cpu_start_.total()) / 1e6 : 0;
    double gw_sys_ms =
        published ? static_cast<double>(cpu_end_.system - cpu_start_.system) / 1e6 : 0;
    double redis_cpu_ms = published && o_.redis_pid > 0
                              ? static_cast<double>(redis_cpu_end_ns_ - redis_cpu_start_ns_) / 1e6
                              : 0;
    double self_cpu_ms =
        published ? static_cast<double>(self_cpu_end_ns_ - self_cpu_start_ns_) / 1e6 : 0;
    double machine_cpu_ms =
        published ? static_cast<double>(machine_end_ns_ - machine_start_ns_) / 1e6 : 0;
    // Everything else that ran on the machine meanwhile (other processes, the kernel's softirq
    // work not charged to these processes).
    double other_cpu_ms = std::max(0.0, machine_cpu_ms - gw_cpu_ms - redis_cpu_ms - self_cpu_ms);
    double server_cpu_ms =
        published ? static_cast<double>(server_cpu_end_ns_ - server_cpu_start_ns_) / 1e6 : 0;
    std::int64_t acked = 0;
    for (const auto& conv : conversations_) acked += conv.acked;
    // Messages that went through the server: acknowledged (stored) ones when sent over the
    // WebSocket, every PUBLISH otherwise.
    std::int64_t messages = o_.send_ws ? acked : published_;
    double first_unavailable_ms =
        first_unavailable_ns_ > 0
            ? static_cast<double>(first_unavailable_ns_ - publish_start_ns_) / 1e6
            : -1;
    auto per_delivery_us = [&](double cpu_ms) {
      return received_ > 0 ? cpu_ms * 1000.0 / static_cast<double>(received_) : 0.0;
    };
    double kb_per_socket =
        idle_open_ > 0 && !o_.gateway_pids.empty()
            ? static_cast<double>(rss_idle_kb_ - rss_before_kb_) / static_cast<double>(idle_open_)
            : 0;
    // --cpu-group: CPU ms per name (a repeated name sums) and µs per message delivery.
    std::vector<std::pair<std::string, double>> groups;
    for (std::size_t i = 0; i < o_.cpu_groups.size() && i < group_cpu_end_ns_.size(); ++i) {
      double group_ms = static_cast<double>(group_cpu_end_ns_[i] - group_cpu_start_ns_[i]) / 1e6;
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const auto& g) { return g.first == o_.cpu_groups[i].first; });
      if (it == groups.end()) {
        groups.emplace_back(o_.cpu_groups[i].first, group_ms);
      } else {
        it->second += group_ms;
      }
    }
    std::ostringstream group_json;
    group_json.setf(std::ios::fixed);
    group_json.precision(3);
    group_json << "{";
    for (std::size_t i = 0; i < groups.size(); ++i) {
      group_json << (i ? "," : "") << json_string(groups[i].first) << ":{\"ms\":" << groups[i].second
                 << ",\"us_per_delivery\":" << per_delivery_us(groups[i].second) << "}";
    }
    group_json << "}";
    std::string closes = "{";
    for (const auto& [code, count] : closes_by_code_) {
      if (closes.size() > 1) closes += ",";
      closes += "\"" + std::to_string(code) + "\":" + std::to_string(count);
    }
    closes += "}";

    std::ostringstream json;
    json.setf(std::ios::fixed);
    json.precision(3);
    json << "{\"label\":" << json_string(o_.label) << ",\"urls\":" << o_.urls.size()
         << ",\"conversations\":" << conversations_.size() << ",\"connections\":" << o_.connections
         << ",\"joined\":" << joined_ << ",\"failed\":" << failed_
         << ",\"first_failure\":" << json_string(first_failure_) << ",\"rate\":" << o_.rate
         << ",\"duration_s\":" << o_.duration << ",\"text_pad\":" << o_.text_pad
         << ",\"published\":" << published_ << ",\"refused\":" << refused_
         << ",\"refused_unavailable\":" << refused_unavailable_ << ",\"redis_receivers_min\":" << min_receivers_
         << ",\"expected\":" << expected_total << ",\"received\":" << received_
         << ",\"lost\":" << lost << ",\"duplicates\":" << duplicates_
         << ",\"out_of_order\":" << out_of_order_ << ",\"publish_s\":" << publish_s
         << ",\"window_s\":" << window_s << ",\"deliveries_per_s\":" << rate
         << ",\"lat_p50_ms\":" << ms(percentile(latencies_us_, 0.50))
         << ",\"lat_p90_ms\":" << ms(percentile(latencies_us_, 0.90))
         << ",\"lat_p99_ms\":" << ms(percentile(latencies_us_, 0.99))
         << ",\"lat_p999_ms\":" << ms(percentile(latencies_us_, 0.999))
         << ",\"lat_max_ms\":" << ms(latencies_us_.empty() ? 0 : latencies_us_.back())
         << ",\"protocol\":" << json_string(o_.protocol) << ",\"acked\":" << acked
         << ",\"messages\":" << messages << ",\"first_unavailable_ms\":" << first_unavailable_ms
         << ",\"server_processes\":" << server_pids_.size()
         << ",\"server_cpu_ms\":" << server_cpu_ms << ",\"server_cpu_ms_per_msg\":"
         << (messages > 0 ? server_cpu_ms / static_cast<double>(messages) : 0.0)
         << ",\"server_cpu_us_per_delivery\":" << per_delivery_us(server_cpu_ms)
         << ",\"server_cpu_pct\":" << (window_s > 0 ? server_cpu_ms / 10.0 / window_s : 0.0)
         << ",\"server_rss_before_kb\":" << server_rss_before_kb_
         << ",\"server_rss_peak_kb\":" << server_rss_peak_kb_
         << ",\"server_rss_after_kb\":" << server_rss_after_kb_
         << ",\"gw_rss_peak_kb\":" << gw_rss_peak_kb_
         << ",\"gw_cpu_ms\":" << gw_cpu_ms
         << ",\"gw_cpu_us_per_delivery\":" << per_delivery_us(gw_cpu_ms)
         << ",\"gw_sys_cpu_ms\":" << gw_sys_ms
         << ",\"gw_cpu_pct\":" << (window_s > 0 ? gw_cpu_ms / 10.0 / window_s : 0.0)
         << ",\"redis_cpu_ms\":" << redis_cpu_ms << ",\"client_cpu_ms\":" << self_cpu_ms
         << ",\"client_cpu_us_per_delivery\":" << per_delivery_us(self_cpu_ms)
         << ",\"machine_cpu_ms\":" << machine_cpu_ms << ",\"other_cpu_ms\":" << other_cpu_ms
         << ",\"rss_before_kb\":" << rss_before_kb_ << ",\"rss_idle_kb\":" << rss_idle_kb_
         << ",\"rss_after_kb\":" << rss_after_kb_ << ",\"idle_sockets\":" << idle_open_
         << ",\"kb_per_idle_socket\":" << kb_per_socket << ",\"gw_idle_cpu_pct\":" << idle_cpu_pct_
         << ",\"closes\":" << closes << ",\"closed_after_join\":" << closed_after_join_
         << ",\"abnormal_closes\":" << abnormal_closes_ << ",\"error_frames\":" << error_frames_
         << ",\"first_error\":" << json_string(first_error_) << ",\"pings\":" << pings_
         << ",\"other_frames\":" << other_frames_
         << ",\"mode\":\"" << (o_.rooms ? "rooms" : "conversations") << "\""
         << ",\"room_rate\":" << (o_.rooms ? o_.room_rate : 0.0)
         << ",\"typing\":" << (o_.rooms && o_.room_typing ? "true" : "false")
         << ",\"typing_sent\":" << typing_sent_ << ",\"typing_received\":" << typing_received_
         << ",\"typing_per_s\":" << (window_s > 0 ? static_cast<double>(typing_received_) / window_s : 0.0)
         << ",\"presence_received\":" << presence_received_ << ",\"room_skipped\":" << room_skipped_
         << ",\"cpu_groups\":" << group_json.str()
         << ",\"timed_out\":" << (timed_out_ ? "true" : "false") << "}";

    std::fprintf(stderr,
                 "[%s] sockets %lld/%d joined (%lld failed%s%s), RSS %lld -> %lld KB idle "
                 "(%.2f KB/socket), %lld KB after; gateway CPU while idle %.1f%% of a core\n",
                 o_.label.c_str(), static_cast<long long>(joined_), o_.connections,
                 static_cast<long long>(failed_), first_failure_.empty() ? "" : ": ",
                 first_failure_.c_str(), static_cast<long long>(rss_before_kb_),
                 static_cast<long long>(rss_idle_kb_), kb_per_socket,
                 static_cast<long long>(rss_after_kb_), idle_cpu_pct_);
    if (published) {
      std::fprintf(
          stderr,
          "[%s] published %lld msgs at %.0f/s in %.2f s; received %lld of %lld (lost %lld, "
          "dup %lld, out of order %lld), %.0f deliveries/s; latency p50 %.2f p99 %.2f max "
          "%.2f ms; gateway CPU %.0f ms = %.2f us/delivery (%.0f%% of a core); Redis %.0f ms; "
          "client %.0f ms; everything else %.0f ms\n",
          o_.label.c_str(), static_cast<long long>(published_), o_.rate, publish_s,
          static_cast<long long>(received_), static_cast<long long>(expected_total),
          static_cast<long long>(lost), static_cast<long long>(duplicates_),
          static_cast<long long>(out_of_order_), rate, ms(percentile(latencies_us_, 0.5)),
          ms(percentile(latencies_us_, 0.99)), ms(latencies_us_.empty() ? 0 : latencies_us_.back()),
          gw_cpu_ms, per_delivery_us(gw_cpu_ms), window_s > 0 ? gw_cpu_ms / 10.0 / window_s : 0.0,
          redis_cpu_ms, self_cpu_ms, other_cpu_ms);
    }
    std::printf("RESULT %s\n", json.str().c_str());
    std::fflush(stdout);
    if (timed_out_) return 3;
    if (failed_ > 0 || lost > 0) return 1;
    return 0;
  }

  Options o_;
  std::vector<Conn> conns_;
  std::vector<Conversation> conversations_;
  std::vector<char> scratch_;
  int epoll_ = -1;
  int timer_ = -1;
  redisContext* redis_ = nullptr;

  std::int64_t start_ns_ = 0;
  std::int64_t hard_deadline_ns_ = 0;
  std::int64_t recv_ns_ = 0;
  bool timed_out_ = false;

  int next_conn_ = 0;
  int in_flight_ = 0;  // connecting, handshaking or joining
  std::int64_t joined_ = 0;
  std::int64_t failed_ = 0;
  std::int64_t open_joined_ = 0;
  std::int64_t idle_open_ = 0;
  std::int64_t closed_after_join_ = 0;
  std::int64_t abnormal_closes_ = 0;
  std::string first_failure_;
  std::string first_error_;
  std::map<int, std::int64_t> closes_by_code_;
  std::int64_t error_frames_ = 0;
  std::int64_t other_frames_ = 0;
  std::int64_t pings_ = 0;

  std::int64_t total_messages_ = 0;
  std::int64_t published_ = 0;
  std::int64_t replies_ = 0;
  std::int64_t refused_ = 0;              // --send-ws: message.send answered with an error
  std::int64_t refused_unavailable_ = 0;  // of which `unavailable` (push-back)
  std::int64_t first_unavailable_ns_ = 0;  // when the first `unavailable` arrived
  std::string run_tag_;  // random hex in every client_id: a later run on the same conversations
                         // must not look like a retry (channel-connector dedupes client_id)
  std::vector<int> server_pids_;           // --cpu-pid trees at the start of publishing
  std::int64_t server_cpu_start_ns_ = 0, server_cpu_end_ns_ = 0;
  std::int64_t server_rss_before_kb_ = 0, server_rss_peak_kb_ = 0, server_rss_after_kb_ = 0;
  std::int64_t last_rss_sample_ns_ = 0;
  std::int64_t gw_rss_peak_kb_ = 0;  // the --pid processes' VmRSS, peak while publishing
  std::int64_t min_receivers_ = 0;
  std::int64_t received_ = 0;
  std::int64_t duplicates_ = 0;
  std::int64_t out_of_order_ = 0;
  std::vector<std::uint32_t> latencies_us_;
  std::vector<std::int64_t> group_cpu_start_ns_, group_cpu_end_ns_;  // per --cpu-group

  // rooms mode
  std::vector<RoomEvent> schedule_;
  std::size_t next_event_ = 0;
  std::int64_t room_zero_ns_ = 0;      // the schedule's time 0 (the window's start)
  std::int64_t room_skipped_ = 0;      // events of members whose socket is not joined
  std::int64_t typing_sent_ = 0;       // typing frames sent in the window
  std::int64_t typing_received_ = 0;   // typing frames received in the window
  std::int64_t presence_received_ = 0; // presence frames (mostly while the members joined)

  std::int64_t publish_start_ns_ = 0;
  std::int64_t publish_end_ns_ = 0;
  std::int64_t window_end_ns_ = 0;
  std::int64_t last_delivery_ns_ = 0;
  CpuTime cpu_start_, cpu_end_;
  std::int64_t redis_cpu_start_ns_ = 0, redis_cpu_end_ns_ = 0;
  std::int64_t self_cpu_start_ns_ = 0, self_cpu_end_ns_ = 0;
  std::int64_t machine_start_ns_ = 0, machine_end_ns_ = 0;
  double idle_cpu_pct_ = 0;  // gateway CPU while the sockets sat idle (% of one core)
  std::int64_t rss_before_kb_ = 0, rss_idle_kb_ = 0, rss_after_kb_ = 0;
};

/// Raises the soft open-file limit to the hard limit (one fd per socket).
void raise_fd_limit(int needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur != RLIM_INFINITY && static_cast<rlim_t>(needed) + 32 > limit.rlim_cur) {
    die("open-file limit " + std::to_string(limit.rlim_cur) + " is too low for " +
        std::to_string(needed) + " sockets (raise it with ulimit -n)");
  }
}

}  // namespace
}  // namespace botfactory::bench

int main(int argc, char** argv) {
  auto options = botfactory::bench::parse_options(argc, argv);
  botfactory::bench::raise_fd_limit(options.connections);
  botfactory::bench::LoadClient client(std::move(options));
  return client.run();
}
