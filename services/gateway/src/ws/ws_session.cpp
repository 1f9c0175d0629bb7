#include "ws/ws_session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>

#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/request_id.hpp"
#include "ws/chat_ops.hpp"
#include "fanout/fanout_hub.hpp"
#include "gateway_metrics.hpp"
#include "http/rate_limiter.hpp"
#include "server_context.hpp"
#include "ws/session_registry.hpp"
#include "settings.hpp"
#include "ws/ws_framing.hpp"
#include "ws/ws_protocol.hpp"
#include "work_queue.hpp"

namespace botfactory::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr int kReplayPageSize = 200;
// The `unavailable` error of an operation refused because GATEWAY_WORKER_QUEUE is full.
constexpr const char* kServerBusy = "the server is busy, try again";
constexpr std::size_t kMaxJoinedConversations = 16;
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kCloseTimeout = std::chrono::seconds(5);  // wait for the peer's close frame
constexpr std::size_t kIdleCapacity = 16;                // queue capacity kept by an idle socket
constexpr std::size_t kMaxBatch = 256;                   // frames per gathered write
constexpr std::size_t kInlineFrames = 4;                 // batch size without allocation
constexpr std::size_t kScratchSize = 64 * 1024;          // per-thread read buffer
constexpr int kReadsPerWakeup = 4;                       // fairness between sockets

Frame make_frame(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

/// A request id for one WebSocket operation that calls a service ("ws-" + 12 base62
/// characters): it follows the operation into the services' logs and calls.
std::string new_ws_request_id() { return "ws-" + common::random_base62(12); }

/// The read buffer of the current I/O thread: sockets read into it only when data is there,
/// so an idle socket owns no read buffer.
char* scratch_buffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kScratchSize]);
  return buffer.get();
}

/// One client connection after the opening handshake. Everything but on_event, on_resync,
/// shutdown and tick runs on the socket's strand (with one I/O thread: on that thread, and so
/// does on_event).
///
/// I/O: the socket is non-blocking; while idle it has only a readiness wait pending (no read
/// buffer, no timer). Outbound frames share the encoded payload (Frame) and are written in
/// gathered batches, one write in flight. Keep-alive pings and the idle timeout are driven by
/// the gateway's periodic tick() instead of a timer per socket.
///
/// Ordering per joined conversation: `last_seq` is the highest seq sent. While a replay (join or
/// re-sync) is in flight, live message.new frames are buffered and sent after it, skipping what
/// the replay already covered; afterwards frames with seq <= last_seq are dropped, and a gap
/// (seq > last_seq + 1, a lost publish) triggers a replay from last_seq.
///
/// Back-pressure: a socket WS_MAX_QUEUE frames behind is not closed. Its conversation is marked
/// lagging: live frames are skipped (nothing is lost, they are committed with their seq), and
/// once the queue drained to half, they are sent from the hub's recent frames, or when those
/// no longer cover the gap, re-read from storage in pages. So a gateway that is briefly
/// saturated degrades to catching up instead of mass disconnects. Only a
/// socket whose write makes no progress for WS_SEND_TIMEOUT_MS (a client that stopped reading)
/// is closed with 1008.
class WsSession : public ConversationWatcher,
                  public Closable,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, jwt::Claims claims, ServerContext& context,
            std::shared_ptr<const void> connection_slot)
      : socket_(std::move(socket)),
        claims_(std::move(claims)),
        connection_slot_(std::move(connection_slot)),
        context_(context),
        parser_(context.settings.ws_max_frame_bytes),
        bucket_(context.settings.ws_rate_per_sec, context.settings.ws_burst),
        last_activity_(Clock::now()) {}

  ~WsSession() override {
    context_.sessions.remove(this);
    for (const auto& c : conversations_) context_.hub.unwatch(c.id, this);
    context_.metrics.open_websockets.add(-1);
  }

  void start() {
    context_.metrics.open_websockets.add(1);
    context_.sessions.add(shared_from_this());
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) return close_now();
    if (context_.stopping) return close_with(kCloseGoingAway, "server shutting down");
    wait_readable();
  }

  // --- ConversationWatcher (subscriber strand) ------------------------------------------------

  /// With one I/O thread the subscriber's strand, this socket's handlers and this call all run
  /// on that thread, so the frame is delivered at once: no post, no strand queue per delivery.
  void on_event(const ConversationId& conversation_id, const Frame& frame,
                std::int64_t seq) override {
    if (context_.settings.io_threads == 1) return deliver(*conversation_id, frame, seq);
    net::post(socket_.get_executor(), [self = shared_from_this(), conversation_id, frame, seq] {
      self->deliver(*conversation_id, frame, seq);
    });
  }

  void on_resync() override {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      for (auto& c : self->conversations_) self->start_replay(c, /*announce=*/false);
    });
  }

  // --- Closable (any thread) -------------------------------------------------------------------

  void shutdown() override {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      self->close_with(kCloseGoingAway, "server shutting down");
    });
  }

  void tick(Clock::time_point now) override {
    net::post(socket_.get_executor(), [self = shared_from_this(), now] { self->on_tick(now); });
  }

 private:
  struct Conversation {
    std::string id;
    std::int64_t last_seq = 0;     // highest seq sent to the client
    bool replaying = false;        // a fetch is in flight; live frames go to `buffered`
    bool replay_again = false;     // a re-sync was asked for while replaying
    bool announce = false;         // send conversation.joined when the replay completes
    bool paused = false;           // next replay page waits for the queue to drain
    bool lagging = false;          // fell behind: live frames skipped until a replay catches up
    std::uint64_t generation = 0;  // identifies the current join (stale results are ignored)
    std::vector<SeqFrame> buffered;
  };

  struct OutFrame {
    Frame payload;
    WsOpcode opcode = WsOpcode::kText;
  };

  // --- reading ---------------------------------------------------------------------------------

  void wait_readable() {
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
  }

  void on_readable(error_code ec) {
    if (ec) return close_now();
    char* scratch = scratch_buffer();
    std::vector<WsEvent> events;
    for (int i = 0; i < kReadsPerWakeup && !closed_; ++i) {
      std::size_t n = socket_.read_some(net::buffer(scratch, kScratchSize), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) break;
      if (ec) return close_now();  // EOF or reset
      last_activity_ = Clock::now();
      ping_sent_ = false;
      if (peer_failed_) continue;  // discard input after a protocol error
      events.clear();
      std::uint16_t failure = parser_.feed(std::string_view(scratch, n), events);
      for (auto& event : events) {
        handle_event(event);
        if (closed_) return;
      }
      if (failure != 0) {
        peer_failed_ = true;
        close_with(failure, failure == kCloseTooBig ? "message too big" : "protocol error");
      }
      if (n < kScratchSize) break;
    }
    if (!closed_) wait_readable();
  }

  void handle_event(WsEvent& event) {
    switch (event.kind) {
      case WsEvent::Kind::kMessage:
        context_.metrics.ws_frames_in.inc();
        if (closing_) return;
        if (!event.text) {
          return send_error({"invalid_message", "only text frames are supported", {}, {}});
        }
        if (!bucket_.take(Clock::now())) {
          return send_error({"rate_limited", "too many frames, slow down", {}, {}});
        }
        return handle(event.payload);
      case WsEvent::Kind::kPing:
        return enqueue_control(WsOpcode::kPong, make_frame(std::move(event.payload)));
      case WsEvent::Kind::kPong:
        return;
      case WsEvent::Kind::kClose:
        peer_closed_ = true;
        if (close_sent_) return close_now();  // our close handshake is complete
        // Echo the peer's close (RFC 6455 section 5.5.1), then end the connection.
        return close_with(event.close_code == 1005 ? kCloseNormal : event.close_code, "");
    }
  }

  void handle(std::string_view text) {
    auto parsed = parse_client_frame(text);
    if (parsed.error) return send_error(*parsed.error);
    auto& frame = *parsed.frame;
    switch (frame.type) {
      case ClientFrame::Type::kPing: return enqueue(make_frame(encode_pong()));
      case ClientFrame::Type::kJoin: return join(frame.conversation_id, frame.since_seq);
      case ClientFrame::Type::kLeave: return leave(frame.conversation_id);
      case ClientFrame::Type::kSend: return post(std::move(frame));
    }
  }

  // --- conversation.join / leave -----------------------------------------------------------------

  void join(const std::string& conversation_id, std::int64_t since_seq) {
    if (!find(conversation_id) && conversations_.size() >= kMaxJoinedConversations) {
      return send_error({"too_many_conversations", "leave a conversation first", {},
                         conversation_id});
    }
    if (claims_.kind == jwt::TokenKind::kVisitor && claims_.conversation_id != conversation_id) {
      return send_error({"forbidden", "a visitor may join only its own conversation", {},
                         conversation_id});
    }
    bool queued = context_.workers.try_submit([self = shared_from_this(), conversation_id, since_seq] {
      common::ScopedRequestId scope(new_ws_request_id());
      std::int64_t last_seq = 0;
      auto error = self->context_.chat.authorize_join(self->claims_, conversation_id, &last_seq);
      net::post(self->socket_.get_executor(), [self, conversation_id, since_seq, last_seq, error] {
        if (self->closing_) return;
        if (error) return self->send_error({error->code, error->message, {}, conversation_id});
        // A since_seq past the end would hide every later message: clamp it.
        self->authorized_join(conversation_id, std::min(since_seq, last_seq));
      });
    });
    if (!queued) send_error({"unavailable", kServerBusy, {}, conversation_id});
  }

  void authorized_join(const std::string& conversation_id, std::int64_t since_seq) {
    Conversation* conversation = find(conversation_id);
    if (conversation == nullptr) {
      conversations_.emplace_back();
      conversation = &conversations_.back();
      conversation->id = conversation_id;
    }
    conversation->last_seq = since_seq;
    conversation->buffered.clear();
    conversation->replaying = true;  // buffer live frames until the replay is done
    conversation->announce = true;
    auto generation = ++conversation->generation;
    // Subscribe first, read the history once Redis confirmed: nothing falls in between.
    std::weak_ptr<WsSession> weak = shared_from_this();
    context_.hub.watch(conversation_id, shared_from_this(), [weak, conversation_id, generation] {
      auto self = weak.lock();
      if (!self) return;
      net::post(self->socket_.get_executor(), [self, conversation_id, generation] {
        auto* c = self->find(conversation_id);
        if (c == nullptr || c->generation != generation || self->closing_) return;
        self->fetch_page(*c);
      });
    });
  }

  void leave(const std::string& conversation_id) {
    auto it = std::find_if(conversations_.begin(), conversations_.end(),
                           [&](const Conversation& c) { return c.id == conversation_id; });
    if (it == conversations_.end()) {
      return send_error({"not_joined", "join the conversation first", {}, conversation_id});
    }
    context_.hub.unwatch(conversation_id, this);
    conversations_.erase(it);
    enqueue(make_frame(encode_left(conversation_id)));
  }

  void leave_all() {
    for (const auto& c : conversations_) context_.hub.unwatch(c.id, this);
    conversations_.clear();
  }

  Conversation* find(std::string_view conversation_id) {
    for (auto& c : conversations_) {
      if (c.id == conversation_id) return &c;
    }
    return nullptr;
  }

  // --- replay ----------------------------------------------------------------------------------

  /// Starts a replay of `conversation` from its last_seq (join, re-sync or a detected gap).
  void start_replay(Conversation& conversation, bool announce) {
    if (conversation.replaying) {
      conversation.replay_again = true;
      return;
    }
    conversation.replaying = true;
    conversation.announce = conversation.announce || announce;
    ++conversation.generation;
    fetch_page(conversation);
  }

  void fetch_page(Conversation& conversation) {
    conversation.paused = false;
    bool queued = context_.workers.try_submit([self = shared_from_this(), id = conversation.id,
                                 since = conversation.last_seq,
                                 generation = conversation.generation] {
      common::ScopedRequestId scope(new_ws_request_id());
      auto frames = std::make_shared<std::vector<SeqFrame>>();
      bool more = false;
      auto error = self->context_.chat.fetch_messages(id, since, kReplayPageSize, *frames, &more);
      net::post(self->socket_.get_executor(), [self, id, generation, frames, more, error] {
        self->on_page(id, generation, *frames, more, error);
      });
    });
    if (!queued) {
      std::vector<SeqFrame> none;
      std::string id = conversation.id;  // on_page() erases the conversation
      on_page(id, conversation.generation, none, false,
              OpError{"unavailable", kServerBusy});
    }
  }

  void on_page(const std::string& id, std::uint64_t generation, std::vector<SeqFrame>& frames,
               bool more, const std::optional<OpError>& error) {
    auto* c = find(id);
    if (c == nullptr || c->generation != generation || closing_) return;
    if (error) {
      // The client cannot be kept in sync: report it and drop the conversation; it may join
      // again with since_seq.
      send_error({error->code, error->message, {}, id});
      context_.hub.unwatch(id, this);
      conversations_.erase(conversations_.begin() + (c - conversations_.data()));
      return;
    }
    for (auto& f : frames) {
      if (f.seq <= c->last_seq) continue;
      c->last_seq = f.seq;
      enqueue(std::move(f.frame));
    }
    if (more) {
      if (pending() < context_.settings.ws_max_queue / 2) return fetch_page(*c);
      c->paused = true;  // resumed by the writer once the queue drained
      return;
    }
    finish_replay(*c);
  }

  void finish_replay(Conversation& c) {
    c.replaying = false;
    if (c.announce) {
      c.announce = false;
      enqueue(make_frame(encode_joined(c.id, c.last_seq)));
    }
    if (c.lagging) {  // frames were skipped during the replay: read on from storage
      c.replay_again = false;
      return catch_up();
    }
    auto buffered = std::move(c.buffered);
    c.buffered.clear();
    std::sort(buffered.begin(), buffered.end(),
              [](const SeqFrame& a, const SeqFrame& b) { return a.seq < b.seq; });
    for (std::size_t i = 0; i < buffered.size(); ++i) {
      auto& f = buffered[i];
      if (f.seq <= c.last_seq) continue;
      if (f.seq > c.last_seq + 1) {  // a publish was lost meanwhile: read the gap first
        c.buffered.assign(std::make_move_iterator(buffered.begin() + i),
                          std::make_move_iterator(buffered.end()));
        c.replay_again = false;
        return start_replay(c, false);
      }
      c.last_seq = f.seq;
      enqueue(std::move(f.frame));
      if (closing_) return;
    }
    if (c.replay_again) {
      c.replay_again = false;
      start_replay(c, false);
    }
  }

  // --- live events -----------------------------------------------------------------------------

  void deliver(const std::string& conversation_id, const Frame& frame, std::int64_t seq) {
    if (closing_) return;
    auto* c = find(conversation_id);
    if (c == nullptr) return;
    const std::size_t limit = context_.settings.ws_max_queue;
    if (seq == 0) {  // ephemeral (message.delta): no ordering, not stored; dropped when behind
      if (pending() >= limit) return context_.metrics.ws_deltas_dropped.inc();
      return enqueue(frame);
    }
    if (c->lagging) return;  // read from storage once the queue drained
    if (c->replaying) {
      if (c->buffered.size() >= limit) return fall_behind(*c);
      c->buffered.push_back(SeqFrame{seq, frame});
      return;
    }
    if (seq <= c->last_seq) return;  // already sent (replay overlap or duplicate publish)
    if (seq > c->last_seq + 1) {
      // A publish was lost: fetch the gap from storage; this frame follows from the buffer.
      c->buffered.push_back(SeqFrame{seq, frame});
      return start_replay(*c, false);
    }
    if (pending() >= limit) return fall_behind(*c);
    c->last_seq = seq;
    enqueue(frame);
  }

  /// The socket is WS_MAX_QUEUE frames behind on `c`: skip its live frames from here on and
  /// catch up (last_seq onwards, see catch_up()) once the queue drained.
  void fall_behind(Conversation& c) {
    c.lagging = true;
    c.buffered.clear();
    c.buffered.shrink_to_fit();
    context_.metrics.ws_lagging.inc();
  }

  /// Once the queue is at most half full: resumes paused replay pages and catches lagging
  /// conversations up.
  void catch_up() {
    const std::size_t limit = context_.settings.ws_max_queue;
    for (auto& c : conversations_) {
      if (closing_ || pending() >= limit / 2) return;
      if (c.paused && c.replaying) fetch_page(c);
      if (c.lagging && !c.replaying) catch_up(c, limit - pending());
    }
  }

  /// Sends what `c` skipped while lagging, up to `room` frames: from the hub's recent frames
  /// when they cover it (the common case: no upstream call), else by a replay from storage.
  void catch_up(Conversation& c, std::size_t room) {
    thread_local std::vector<SeqFrame> frames;
    frames.clear();
    if (!context_.hub.recent_since(c.id, c.last_seq, room, frames)) {
      context_.metrics.ws_catchup_storage.inc();
      c.lagging = false;
      return start_replay(c, false);
    }
    context_.metrics.ws_catchup_memory_frames.inc(frames.size());
    for (auto& f : frames) {
      c.last_seq = f.seq;
      enqueue(std::move(f.frame));
    }
    c.lagging = frames.size() == room;  // maybe more: continue after the next drain
    frames.clear();
  }

  // --- message.send ----------------------------------------------------------------------------

  void post(ClientFrame frame) {
    if (!find(frame.conversation_id)) {
      return send_error({"not_joined", "join the conversation first", frame.client_id,
                         frame.conversation_id});
    }
    auto client_id = frame.client_id;
    auto conversation_id = frame.conversation_id;
    bool queued = context_.workers.try_submit([self = shared_from_this(), frame = std::move(frame),
                                 cached_name = operator_name_] {
      // One id per WebSocket message: it follows the message through channel-connector and
      // the bot pipeline's calls and logs.
      common::ScopedRequestId scope(new_ws_request_id());
      PostResult result;
      auto error = self->context_.chat.post_message(self->claims_, cached_name,
                                                    frame.conversation_id, frame.client_id,
                                                    frame.text, result);
      net::post(self->socket_.get_executor(), [self, frame, result, error] {
        if (self->closing_) return;
        if (error) {
          return self->send_error(
              {error->code, error->message, frame.client_id, frame.conversation_id});
        }
        if (!result.operator_name.empty()) self->operator_name_ = result.operator_name;
        self->enqueue(make_frame(encode_ack(frame.client_id, result.seq, result.message_id,
                                            frame.conversation_id)));
      });
    });
    if (!queued) send_error({"unavailable", kServerBusy, client_id, conversation_id});
  }

  // --- writing ---------------------------------------------------------------------------------

  std::size_t pending() const { return queue_.size() + (sending_.size() - batch_begin_); }

  /// Queues a data frame. Live frames are checked against WS_MAX_QUEUE by deliver(); replies
  /// and replay pages are bounded by the request rate and the paused page size instead.
  void enqueue(Frame frame) {
    if (closing_) return;
    queue_.push_back(OutFrame{std::move(frame), WsOpcode::kText});
    if (!writing_) write_next();
  }

  void enqueue_control(WsOpcode opcode, Frame payload) {
    if (closing_) return;  // nothing may follow the close frame
    queue_.push_back(OutFrame{std::move(payload), opcode});
    if (!writing_) write_next();
  }

  void send_error(const FrameError& error) { enqueue(make_frame(encode_error(error))); }

  /// Writes the next batch: every queued frame (up to kMaxBatch) in one gathered write. Small
  /// batches use inline header/buffer storage, so a steady stream of deliveries allocates
  /// nothing here.
  void write_next() {
    if (closed_) return;
    if (batch_begin_ >= sending_.size()) {
      sending_.clear();
      batch_begin_ = 0;
      if (queue_.empty()) {
        writing_ = false;
        if (queue_.capacity() > kIdleCapacity) std::vector<OutFrame>().swap(queue_);
        if (sending_.capacity() > kIdleCapacity) std::vector<OutFrame>().swap(sending_);
        std::vector<std::array<std::uint8_t, 10>>().swap(big_headers_);
        std::vector<net::const_buffer>().swap(big_buffers_);
        if (close_sent_) after_close_sent();
        return;
      }
      sending_.swap(queue_);
    }
    if (!writing_) write_started_ = Clock::now();
    writing_ = true;
    batch_end_ = std::min(sending_.size(), batch_begin_ + kMaxBatch);
    std::size_t count = batch_end_ - batch_begin_;
    std::array<std::uint8_t, 10>* headers = inline_headers_.data();
    net::const_buffer* buffers = inline_buffers_.data();
    if (count > kInlineFrames) {
      big_headers_.resize(count);
      big_buffers_.resize(count * 2);
      headers = big_headers_.data();
      buffers = big_buffers_.data();
    }
    std::size_t used = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const auto& frame = sending_[batch_begin_ + i];
      std::size_t header = encode_ws_header(frame.opcode, frame.payload->size(), headers[i]);
      buffers[used++] = net::const_buffer(headers[i].data(), header);
      if (!frame.payload->empty()) {
        buffers[used++] = net::const_buffer(frame.payload->data(), frame.payload->size());
      }
      if (frame.opcode == WsOpcode::kClose) close_sent_ = true;
    }
    net::async_write(socket_, std::span<const net::const_buffer>(buffers, used),
                     [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    std::size_t written = batch_end_ - batch_begin_;
    for (std::size_t i = batch_begin_; i < batch_end_; ++i) sending_[i].payload.reset();
    batch_begin_ = batch_end_;
    if (ec) {
      writing_ = false;
      return close_now();
    }
    context_.metrics.ws_frames_out.inc(written);
    write_started_ = Clock::now();  // progress: the stall clock restarts
    write_next();
    catch_up();
  }

  // --- keep-alive ------------------------------------------------------------------------------

  /// Called periodically by the gateway (every few seconds, more often for a short
  /// WS_SEND_TIMEOUT_MS): closes a socket whose write made no progress for WS_SEND_TIMEOUT_MS
  /// with 1008, pings a socket idle for half the idle timeout, drops one idle for the whole
  /// timeout (a dead peer), ends a close handshake the peer never answered.
  void on_tick(Clock::time_point now) {
    if (closed_) return;
    if (closing_) {  // the peer did not complete the close handshake (or does not read)
      if (now - close_started_ >= kCloseTimeout) close_now();
      return;
    }
    if (writing_ && now - write_started_ >= context_.settings.ws_send_timeout) {
      return slow_consumer();
    }
    auto idle = now - last_activity_;
    auto timeout = context_.settings.ws_idle_timeout;
    if (idle >= timeout) {
      common::logger("ws")->info("closing a socket idle for {} s",
                                 std::chrono::duration_cast<std::chrono::seconds>(idle).count());
      return close_now();
    }
    if (idle >= timeout / 2 && !ping_sent_) {
      ping_sent_ = true;
      enqueue_control(WsOpcode::kPing, make_frame({}));
    }
  }

  // --- closing ---------------------------------------------------------------------------------

  void slow_consumer() {
    context_.metrics.slow_consumer_closes.inc();
    common::logger("ws")->warn("closing a slow consumer: no write progress for {} ms ({} frames queued)",
                               context_.settings.ws_send_timeout.count(), pending());
    close_with(kClosePolicyViolation, "slow consumer");
  }

  /// Starts the closing handshake: drops unsent data frames, sends a close frame after the
  /// write in progress, then waits (up to kCloseTimeout, via tick) for the peer's close.
  void close_with(std::uint16_t code, const char* reason) {
    if (closing_ || closed_) return;
    closing_ = true;
    close_started_ = Clock::now();
    leave_all();
    queue_.clear();
    queue_.push_back(OutFrame{make_frame(encode_close_payload(code, reason)), WsOpcode::kClose});
    if (!writing_) write_next();
  }

  /// The close frame is out: done when the peer already closed, else wait for its close.
  void after_close_sent() {
    if (peer_closed_ || peer_failed_) {
      error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      close_now();
    }
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    closing_ = true;
    leave_all();
    error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  jwt::Claims claims_;
  std::shared_ptr<const void> connection_slot_;  // counted against MAX_CONNECTIONS until destroyed
  ServerContext& context_;
  WsFrameParser parser_;
  TokenBucket bucket_;
  Clock::time_point last_activity_;
  Clock::time_point close_started_{};
  Clock::time_point write_started_{};  // start of the write in flight, or its last progress
  std::vector<Conversation> conversations_;
  std::vector<OutFrame> queue_;    // waiting for the write in progress
  std::vector<OutFrame> sending_;  // frames being written, in order
  std::size_t batch_begin_ = 0;    // sending_[batch_begin_, batch_end_) is in flight
  std::size_t batch_end_ = 0;
  // The batch in flight: frame headers and the gathered buffers (inline for small batches).
  std::array<std::array<std::uint8_t, 10>, kInlineFrames> inline_headers_;
  std::array<net::const_buffer, kInlineFrames * 2> inline_buffers_;
  std::vector<std::array<std::uint8_t, 10>> big_headers_;
  std::vector<net::const_buffer> big_buffers_;
  std::string operator_name_;  // cached auth GetUser username (user tokens)
  bool writing_ = false;
  bool closing_ = false;     // no more data frames: a close frame is queued or sent
  bool close_sent_ = false;  // the close frame is being or has been written
  bool closed_ = false;      // the socket is closed
  bool peer_closed_ = false;
  bool peer_failed_ = false;
  bool ping_sent_ = false;
};

/// Completes the opening handshake with Beast, then hands the bare socket to a WsSession.
class Handshake : public std::enable_shared_from_this<Handshake> {
 public:
  Handshake(tcp::socket&& socket, jwt::Claims claims, ServerContext& context,
            http::request<http::string_body>&& request, std::shared_ptr<const void> connection_slot)
      : connection_slot_(std::move(connection_slot)),
        ws_(std::move(socket)),
        claims_(std::move(claims)),
        context_(context),
        request_(std::move(request)) {}

  void run() {
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = kHandshakeTimeout;
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, "botfactory-gateway");
    }));
    ws_.async_accept(request_, [self = shared_from_this()](error_code ec) {
      if (ec) {
        common::logger("ws")->info("handshake failed: {}", ec.message());
        return;
      }
      std::make_shared<WsSession>(std::move(self->ws_.next_layer()), std::move(self->claims_),
                                  self->context_, std::move(self->connection_slot_))
          ->start();
    });
  }

 private:
  std::shared_ptr<const void> connection_slot_;
  websocket::stream<tcp::socket> ws_;
  jwt::Claims claims_;
  ServerContext& context_;
  http::request<http::string_body> request_;
};

}  // namespace

void run_websocket_session(tcp::socket socket, http::request<http::string_body> request,
                           jwt::Claims claims, ServerContext& context,
                           std::shared_ptr<const void> connection_slot) {
  std::make_shared<Handshake>(std::move(socket), std::move(claims), context, std::move(request),
                              std::move(connection_slot))
      ->run();
}

}  // namespace botfactory::gateway
