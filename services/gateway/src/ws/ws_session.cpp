#include "ws/ws_session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/chatwire/conversation_event.hpp"
#include "botfactory/chatwire/inbox_event.hpp"
#include "ws/call_signalling.hpp"
#include "ws/chat_ops.hpp"
#include "ws/room_ops.hpp"
#include "ws/conversation_cursors.hpp"
#include "ws/outbound_queue.hpp"
#include "ws/session_token.hpp"
#include "ws/typing_throttle.hpp"
#include "ws/visitor_presence.hpp"
#include "fanout/fanout_hub.hpp"
#include "gateway_metrics.hpp"
#include "http/rate_limiter.hpp"
#include "http/token_revocation.hpp"
#include "server_context.hpp"
#include "ws/session_registry.hpp"
#include "settings.hpp"
#include "ws/ws_framing.hpp"
#include "ws/ingest_lanes.hpp"
#include "ws/ingest_limiter.hpp"
#include "ws/ws_op_context.hpp"
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

constexpr int kMaxReplayPage = 200;                      // messages per storage read
// The `unavailable` error of an operation refused because GATEWAY_WORKER_QUEUE is full.
constexpr const char* kServerBusy = "the server is busy, try again";
// The `retry_after_ms` of an `unavailable` answer that has no better hint (a full worker
// queue, an upstream down): REST's Retry-After for a 503 (http_server.cpp), in ms.
constexpr std::int64_t kDefaultRetryAfterMs = 2000;
constexpr std::size_t kMaxMessageFrameBytes = 4000 * 4 + 1024;  // a message.new at its limits
constexpr std::size_t kMaxJoinedConversations = 16;
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kCloseTimeout = std::chrono::seconds(5);  // wait for the peer's close frame
constexpr auto kRateNoticeWindow = std::chrono::seconds(1);  // one rate_limited error per window
constexpr std::size_t kMaxBatch = 256;                   // frames per gathered write
constexpr std::size_t kInlineFrames = 4;                 // batch size without allocation
constexpr std::size_t kScratchSize = 64 * 1024;          // per-thread read buffer
constexpr int kReadsPerWakeup = 4;                       // fairness between sockets
// The most reply bytes (counted, OutboundQueue::cost) one input byte can earn: the smallest
// frame (6 bytes) earns an error of about 140. Reads are sized by it (read_size()).
constexpr std::size_t kMaxReplyAmplification = 32;
constexpr std::size_t kMinReadSize = 256;
constexpr std::string_view kStatePrefix = R"({"type":"conversation.state")";
constexpr std::string_view kTypingPrefix = R"({"type":"typing")";
constexpr std::string_view kCallPrefix = R"({"type":"call.)";  // calls: addressed frames
constexpr std::size_t kMaxTrackedCalls = 4;  // calls one socket hangs up when it closes

/// The part of a `typing` frame (chatwire::encode_typing) that names `claims`' holder as the
/// sender: a socket does not get its holder's own typing back.
std::string own_typing_marker(const jwt::Claims& claims) {
  const char* kind = claims.kind == jwt::TokenKind::kVisitor ? "visitor" : "operator";
  return std::string(R"("sender":{"kind":")") + kind + R"(","id":)" +
         boost::json::serialize(boost::json::string(claims.subject));
}

/// handler / waiting_for_human of a `conversation.state` frame; nullopt when malformed.
std::optional<ConversationState> parse_state_frame(const std::string& frame) {
  boost::system::error_code ec;
  auto value = boost::json::parse(frame, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.get_object();
  const auto* handler = o.if_contains("handler");
  const auto* waiting = o.if_contains("waiting_for_human");
  if (!handler || !handler->is_string() || !waiting || !waiting->is_bool()) return std::nullopt;
  return ConversationState{std::string(handler->get_string()), waiting->get_bool()};
}

Frame make_frame(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

/// A request id for one WebSocket operation that calls a service ("ws-" + 12 base62
/// characters): it follows the operation into the services' logs and calls.
std::string new_ws_request_id() { return "ws-" + common::random_base62(12); }

/// The read buffer of the I/O thread: sockets read into it only when data is there, so an idle
/// socket owns no read buffer.
char* scratch_buffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kScratchSize]);
  return buffer.get();
}

/// Messages per storage read, so that one page of messages at their size limit fits between
/// the budget and the hard cap: 46 with the defaults, at most 200.
int replay_page_size(const GatewaySettings& settings) {
  std::size_t room = settings.ws_send_hard_cap_bytes - settings.ws_send_budget_bytes;
  return static_cast<int>(std::clamp<std::size_t>(room / kMaxMessageFrameBytes, 1, kMaxReplayPage));
}

/// One client connection after the opening handshake. Everything runs on the gateway's one I/O
/// thread (scaling is by replicas), so the fan-out hub delivers with a direct call; only
/// shutdown() comes from another thread and posts.
///
/// I/O: the socket is non-blocking; while idle it has only a readiness wait pending (no read
/// buffer, no timer). Outbound frames share the encoded payload (Frame) and are written in
/// gathered batches, one write in flight. Keep-alive pings, the idle timeout, stalled writes and
/// the token's expiry are checked by the gateway's periodic tick() instead of a timer per socket.
///
/// The rules live in socket-free classes: ConversationCursors (seq, replay, gap fill, catch-up),
/// OutboundQueue (the byte budget), SessionToken (expiry and in-band renewal), IngestLanes
/// (message.send: order per conversation, in-flight bounds, wait bound; the calls themselves go
/// out on gRPC's callback API and their answers are posted back to this socket's executor).
///
/// Budget: every frame the socket makes the gateway hold is counted in its OutboundQueue
/// (WS_SEND_BUDGET_BYTES). Over the budget the session stops reading from the socket (so no
/// further replies are earned) until the queue drained to half; live frames that do not fit
/// are skipped and caught up later; replay pages wait; pongs coalesce; at most one
/// `rate_limited` error per second. Whatever would take it past WS_SEND_HARD_CAP_BYTES closes
/// the socket with 1008; a write that makes no progress for WS_SEND_TIMEOUT_MS too.
class WsSession : public ConversationWatcher,
                  public Closable,
                  public CursorPort,
                  public WsOpContext,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, jwt::Claims claims, ServerContext& context,
            std::shared_ptr<const void> connection_slot)
      : socket_(std::move(socket)),
        token_(std::move(claims), std::chrono::system_clock::now(), Clock::now()),
        connection_slot_(std::move(connection_slot)),
        context_(context),
        parser_(context.settings.ws_max_frame_bytes),
        bucket_(context.settings.ws_rate_per_sec, context.settings.ws_burst),
        flood_(context.settings.ws_flood_frames_per_sec, context.settings.ws_flood_burst),
        queue_(context.settings.ws_send_budget_bytes, context.settings.ws_send_hard_cap_bytes),
        cursors_(*this, kMaxJoinedConversations, context.settings.ws_max_queue),
        last_activity_(Clock::now()),
        typing_marker_(own_typing_marker(*token_.claims())),
        call_marker_(CallSignalling::recipient_marker(*token_.claims())),
        ingest_(context.ingest, context.settings.ws_max_in_flight_per_socket,
                std::chrono::milliseconds(context.settings.ingest_max_queue_wait_ms)) {}

  ~WsSession() override {
    context_.sessions.remove(this);
    hang_up_calls();
    for (const auto& id : cursors_.clear()) unwatch(id);
    for (const auto& [id, me] : rooms_) context_.rooms.set_present(id, me, false);
    if (!inbox_key_.empty()) context_.hub.unwatch(inbox_key_, this);
    context_.metrics.ws_queued_bytes.add(-static_cast<std::int64_t>(reported_bytes_));
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

  // --- ConversationWatcher (the I/O thread) ----------------------------------------------------

  void on_event(const ConversationId& conversation_id, const Frame& frame,
                std::int64_t seq, const MembershipEnd* ended) override {
    if (closing_) return;
    if (!inbox_key_.empty() && *conversation_id == inbox_key_) return inbox_event(frame);
    if (seq == 0) {
      std::string_view payload(*frame);
      if (payload.starts_with(kTypingPrefix) && payload.find(typing_marker_) != payload.npos) {
        return;  // this holder's own typing
      }
      if (payload.starts_with(kCallPrefix) && payload.find(call_marker_) == payload.npos) {
        return;  // calls: signalling for another party of the conversation
      }
      if (payload.starts_with(kStatePrefix)) {
        // The newest state, for a conversation.joined still to come.
        auto it = states_.find(*conversation_id);
        if (it != states_.end()) {
          if (auto state = parse_state_frame(*frame)) it->second = *state;
        }
      }
    }
    cursors_.live(*conversation_id, frame, seq);
    // Rooms: this holder was removed from the room (or left it elsewhere): it reads no more.
    if (ended && !rooms_.empty()) {
      auto room = rooms_.find(*conversation_id);
      if (room != rooms_.end() && ends_membership_of(*ended, room->second)) {
        net::post(socket_.get_executor(), [self = shared_from_this(), id = *conversation_id] {
          if (self->closing_ || !self->cursors_.leave(id)) return;
          self->unwatch(id);
          self->forget(id);
          self->enqueue(make_frame(encode_left(id)));
        });
      }
    }
  }

  void on_resync() override {
    if (closing_) return;
    cursors_.resync();
    if (!inbox_key_.empty() && inbox_ready_) enqueue(make_frame(encode_inbox_resync()));
  }

  // --- Closable --------------------------------------------------------------------------------

  /// Any thread.
  void shutdown() override {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      self->close_with(kCloseGoingAway, "server shutting down");
    });
  }

  /// The I/O thread (the gateway's sweep timer).
  void tick(Clock::time_point now) override { on_tick(now); }

  // --- WsOpContext (extension ops: ws_ops.cpp) ---------------------------------------------------

  std::shared_ptr<const jwt::Claims> claims() const override { return token_.claims(); }
  bool joined(const std::string& conversation_id) const override {
    return cursors_.contains(conversation_id);
  }
  bool in_room(const std::string& id) const override { return rooms_.contains(id); }
  void reply(std::string frame) override { enqueue(make_frame(std::move(frame))); }
  void reply_error(const OpError& error, const std::string& conversation_id) override {
    send_error({error.code, error.message, {}, conversation_id});
  }
  bool run(std::function<Continuation()> work) override {
    return context_.workers.try_submit([self = shared_from_this(), work = std::move(work)] {
      auto continuation = work();
      if (!continuation) return;
      net::post(self->socket_.get_executor(), [self, continuation = std::move(continuation)] {
        if (!self->closing_) continuation(*self);
      });
    });
  }
  ServerContext& server() override { return context_; }
  void track_call(const std::string& conversation_id, const std::string& call_id,
                  bool active) override {
    std::erase_if(calls_, [&](const auto& c) { return c.second == call_id; });
    if (!active) return;
    if (calls_.size() >= kMaxTrackedCalls) calls_.erase(calls_.begin());
    calls_.emplace_back(conversation_id, call_id);
  }

  /// calls: a closed socket hangs up the calls it took part in, except at a gateway shutdown
  /// (the media is peer to peer and survives a replica restart). Best effort (worker queue).
  void hang_up_calls() {
    if (calls_.empty() || context_.calls == nullptr || context_.stopping) return;
    for (auto& [conversation_id, call_id] : calls_) {
      (void)context_.workers.try_submit([calls = context_.calls, claims = token_.claims(),
                                         conversation_id, call_id] {
        calls->hang_up_for(*claims, conversation_id, call_id);
      });
    }
    calls_.clear();
  }

  // --- CursorPort --------------------------------------------------------------------------------

  void send(const Frame& frame) override { enqueue(frame); }

  /// A live frame fits within the budget and WS_MAX_QUEUE frames (an empty queue takes one
  /// frame of any size, so a large message never blocks a conversation).
  bool live_fits(std::size_t bytes) const override {
    return queue_.frames() == 0 ||
           (queue_.frames() < context_.settings.ws_max_queue && queue_.fits(bytes));
  }

  /// A replayed frame fits below the hard cap, keeping half a budget for replies.
  bool replay_fits(std::size_t bytes) const override {
    return queue_.frames() == 0 || queue_.bytes() + OutboundQueue::cost(bytes) <=
                                       queue_.hard_cap() - queue_.budget() / 2;
  }

  bool drained() const override {
    return queue_.drained() && queue_.frames() <= context_.settings.ws_max_queue / 2;
  }

  void fetch(const std::string& conversation_id, std::int64_t since_seq,
             std::uint64_t generation) override {
    auto it = rooms_.find(conversation_id);
    auto room = it == rooms_.end() ? std::nullopt : std::optional<RoomPresenceMember>(it->second);
    bool queued = context_.workers.try_submit([self = shared_from_this(), id = conversation_id,
                                               claims = token_.claims(), since_seq, generation,
                                               limit = replay_page_size(context_.settings), room] {
      common::ScopedRequestId scope(new_ws_request_id());
      std::vector<SeqFrame> frames;
      bool more = false;
      auto error = room
          ? self->context_.rooms.fetch_messages(*claims, *room, id, since_seq, limit, frames, &more)
          : self->context_.chat.fetch_messages(claims->tenant_id, id, since_seq, limit, frames, &more);
      net::post(self->socket_.get_executor(), [self, id, generation, frames = std::move(frames),
                                               more, error]() mutable {
        if (self->closing_) return;
        if (error) return self->fetch_failed(id, generation, *error);
        self->cursors_.page(id, generation, frames, more);
      });
    });
    if (!queued) {
      // Reported after this call returns: the cursors are in the middle of their rules.
      net::post(socket_.get_executor(), [self = shared_from_this(), id = conversation_id,
                                         generation] {
        if (!self->closing_) self->fetch_failed(id, generation, OpError{"unavailable", kServerBusy});
      });
    }
  }

  /// A history read failed: the client cannot be kept in sync, so the conversation is dropped
  /// and the error reported; it may join again with since_seq.
  void fetch_failed(const std::string& id, std::uint64_t generation, const OpError& error) {
    if (cursors_.fetch_failed(id, generation)) {
      unwatch(id);
      forget(id);
      send_error({error.code, error.message, {}, id});
    }
  }

  bool recent_since(const std::string& conversation_id, std::int64_t since_seq, std::size_t max,
                    std::vector<SeqFrame>& out) override {
    return context_.hub.recent_since(conversation_id, since_seq, max, out);
  }

  Frame joined_frame(const std::string& conversation_id, std::int64_t last_seq) override {
    if (rooms_.contains(conversation_id)) return make_frame(encode_room_joined(conversation_id, last_seq));
    auto it = states_.find(conversation_id);
    if (it == states_.end()) return make_frame(encode_joined(conversation_id, last_seq));
    return make_frame(encode_joined(conversation_id, last_seq, &it->second));
  }

  void count(Event event, std::size_t n) override {
    auto& m = context_.metrics;
    switch (event) {
      case Event::kLagging: return m.ws_lagging.inc(n);
      case Event::kDeltaDropped: return m.ws_deltas_dropped.inc(n);
      case Event::kCatchupMemoryFrames: return m.ws_catchup_memory_frames.inc(n);
      case Event::kCatchupStorage: return m.ws_catchup_storage.inc(n);
    }
  }

 private:
  // --- reading ---------------------------------------------------------------------------------

  void wait_readable() {
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
  }

  void on_readable(error_code ec) {
    if (ec) return close_now();
    if (closed_) return;
    char* scratch = scratch_buffer();
    std::vector<WsEvent> events;
    for (int i = 0; i < kReadsPerWakeup && !closed_; ++i) {
      if (must_pause()) return pause_reading();
      std::size_t size = read_size();
      std::size_t n = socket_.read_some(net::buffer(scratch, size), ec);
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
      if (n < size) break;
    }
    if (closed_) return;
    if (must_pause()) return pause_reading();
    wait_readable();
  }

  /// Reading stops over the send budget (no more replies earned) and at
  /// WS_MAX_IN_FLIGHT_PER_SOCKET messages in flight (no more messages taken in). Once closing,
  /// only the budget counts: the peer's close frame must be read.
  bool must_pause() const { return queue_.over_budget() || (!closing_ && ingest_.paused()); }

  /// How much to read now: so little that the replies it can earn fit in what is left of the
  /// budget (room / kMaxReplyAmplification, at least kMinReadSize), so a flood pauses reading
  /// at the budget instead of running into the hard cap.
  std::size_t read_size() const {
    std::size_t room = queue_.budget() - std::min(queue_.bytes(), queue_.budget());
    return std::clamp(room / kMaxReplyAmplification, kMinReadSize, kScratchSize);
  }

  /// Over the budget: nothing more is read (so no more replies are earned) until the queue
  /// drained to half (resume_reading(), from the writer).
  void pause_reading() {
    if (reading_paused_) return;
    reading_paused_ = true;
    if (queue_.over_budget()) {
      context_.metrics.ws_reads_paused.inc();
    } else {
      IngestLanes::count_read_pause();
    }
  }

  /// Reads again once the queue drained to half the budget and a message slot of the socket is
  /// free (called by the writer and when a message was answered).
  void resume_reading() {
    if (!reading_paused_ || closed_ || !queue_.drained() || (!closing_ && ingest_.paused())) {
      return;
    }
    reading_paused_ = false;
    wait_readable();
  }

  void handle_event(WsEvent& event) {
    // Frames of any kind past WS_FLOOD_FRAMES_PER_SEC / WS_FLOOD_BURST (10x the message rate
    // by default): a flood, pings included, costs the one I/O thread parsing time, so it ends
    // the socket instead of being answered (RFC 6455 section 7.4.1: 1008 policy violation).
    if (!closing_ && event.kind != WsEvent::Kind::kClose && !flood_.take(Clock::now())) {
      return flooded();
    }
    switch (event.kind) {
      case WsEvent::Kind::kMessage:
        context_.metrics.ws_frames_in.inc();
        if (closing_) return;
        if (!bucket_.take(Clock::now())) return rate_limited();
        if (!event.text) {
          return send_error({"invalid_message", "only text frames are supported", {}, {}});
        }
        return handle(event.payload);
      case WsEvent::Kind::kPing:
        if (closing_) return;
        if (!queue_.push_pong(std::move(event.payload))) return over_hard_cap();
        return written_or_queued();
      case WsEvent::Kind::kPong:
        return;
      case WsEvent::Kind::kClose:
        peer_closed_ = true;
        if (close_sent_) return close_now();  // our close handshake is complete
        // Echo the peer's (valid, see WsFrameParser) code (RFC 6455 section 5.5.1), then end.
        return close_with(event.close_code == 1005 ? kCloseNormal : event.close_code, "");
    }
  }

  /// A message over WS_RATE_PER_SEC / WS_RATE_BURST is dropped; the client hears about it at
  /// most once per second, so a flood earns no more replies than a polite client.
  void rate_limited() {
    context_.metrics.ws_rate_limited.inc();
    auto now = Clock::now();
    if (rate_notice_sent_ && now - last_rate_notice_ < kRateNoticeWindow) return;
    rate_notice_sent_ = true;
    last_rate_notice_ = now;
    send_error({"rate_limited", "too many frames, slow down", {}, {}});
  }

  void handle(std::string_view text) {
    auto parsed = parse_client_frame(text);
    if (parsed.error) {
      if (parsed.error->code == "unknown_type" && dispatch_ws_op(*this, text)) return;  // ws_ops.cpp
      return send_error(*parsed.error);
    }
    auto& frame = *parsed.frame;
    switch (frame.type) {
      case ClientFrame::Type::kPing: return enqueue(make_frame(encode_pong()));
      case ClientFrame::Type::kJoin: return join(frame.conversation_id, frame.since_seq);
      case ClientFrame::Type::kLeave: return leave(frame.conversation_id);
      case ClientFrame::Type::kSend: return post(std::move(frame));
      case ClientFrame::Type::kAuth: return renew(frame.token);
      case ClientFrame::Type::kHandoff: return handoff(frame.conversation_id);
      case ClientFrame::Type::kTyping: return typing(frame.conversation_id, frame.typing);
      case ClientFrame::Type::kInboxSubscribe: return inbox_subscribe();
      case ClientFrame::Type::kInboxUnsubscribe: return inbox_unsubscribe();
      case ClientFrame::Type::kRoomJoin: return room_join(frame.conversation_id, frame.since_seq);
      case ClientFrame::Type::kRoomHistory: return room_history(frame);
      case ClientFrame::Type::kRoomPresence: return room_presence(frame.conversation_id);
    }
  }

  // --- inbox.subscribe / unsubscribe (docs/protocol.md, "Inbox") -------------------------------

  /// A user (staff) token subscribes its tenant's inbox channel; a visitor gets `forbidden`.
  /// Answered with `inbox.subscribed` once Redis confirmed the subscription (so a list read
  /// after it misses no event). Subscribing twice is answered the same way.
  void inbox_subscribe() {
    auto claims = token_.claims();
    if (claims->kind == jwt::TokenKind::kVisitor) {
      return send_error({"forbidden", "only a user of the tenant may subscribe to its inbox", {}, {}});
    }
    if (!inbox_key_.empty()) {
      if (inbox_ready_) enqueue(make_frame(encode_inbox_subscribed()));
      return;
    }
    inbox_key_ = chatwire::inbox_key(claims->tenant_id);
    inbox_ready_ = false;
    inbox_lagging_ = false;
    std::weak_ptr<WsSession> weak = shared_from_this();
    context_.hub.watch(inbox_key_, shared_from_this(), [weak, key = inbox_key_] {
      auto self = weak.lock();
      if (!self) return;
      net::post(self->socket_.get_executor(), [self, key] {
        if (self->closing_ || self->inbox_key_ != key || self->inbox_ready_) return;
        self->inbox_ready_ = true;
        self->enqueue(make_frame(encode_inbox_subscribed()));
      });
    });
  }

  void inbox_unsubscribe() {
    if (!inbox_key_.empty()) context_.hub.unwatch(inbox_key_, this);
    inbox_key_.clear();
    inbox_ready_ = false;
    inbox_lagging_ = false;
    enqueue(make_frame(encode_inbox_unsubscribed()));
  }

  /// One `conversation.updated` of the tenant's inbox: queued like a live frame when it fits
  /// the budget and WS_MAX_QUEUE; otherwise dropped, and once the queue drained the client gets
  /// one `inbox.resync` (reload the list) instead of the events it missed.
  void inbox_event(const Frame& frame) {
    if (!inbox_ready_) return;  // before inbox.subscribed the client reads the list after it
    if (inbox_lagging_) {
      if (!drained()) return;
      inbox_lagging_ = false;
      enqueue(make_frame(encode_inbox_resync()));
    }
    if (!live_fits(frame->size())) {
      inbox_lagging_ = true;
      context_.metrics.ws_lagging.inc();
      return;
    }
    enqueue(frame);
  }

  // --- auth (in-band token renewal) ------------------------------------------------------------

  void renew(const std::string& token) {
    auto now_system = std::chrono::system_clock::now();
    auto claims = context_.verifier.verify(token, now_system);
    if (!claims) {
      return send_error({"invalid_token", "the token is malformed, forged, of another issuer or "
                                          "expired; the current one stays",
                         {}, {}});
    }
    if (context_.revocations && context_.revocations->known_revoked(*claims)) {
      return send_error({"invalid_token", "the token was revoked; the current one stays", {}, {}});
    }
    if (auto error = token_.renew(std::move(*claims), now_system, Clock::now())) {
      return send_error({error->code, error->message, {}, {}});
    }
    context_.metrics.ws_token_renewals.inc();
    enqueue(make_frame(encode_auth_ok(token_.expires_at())));
  }

  // --- conversation.join / leave -----------------------------------------------------------------

  void join(const std::string& conversation_id, std::int64_t since_seq) {
    if (cursors_.full_for(conversation_id)) {
      return send_error({"too_many_conversations", "leave a conversation first", {},
                         conversation_id});
    }
    auto claims = token_.claims();
    if (claims->kind == jwt::TokenKind::kVisitor && claims->conversation_id != conversation_id) {
      return send_error({"forbidden", "a visitor may join only its own conversation", {},
                         conversation_id});
    }
    bool queued = context_.workers.try_submit([self = shared_from_this(), claims, conversation_id,
                                               since_seq] {
      common::ScopedRequestId scope(new_ws_request_id());
      std::int64_t last_seq = 0;
      ConversationState state;
      auto error = self->context_.chat.authorize_join(*claims, conversation_id, &last_seq, &state);
      net::post(self->socket_.get_executor(), [self, conversation_id, since_seq, last_seq, state,
                                               error] {
        if (self->closing_) return;
        if (error) return self->send_error({error->code, error->message, {}, conversation_id});
        if (!self->cursors_.full_for(conversation_id)) self->states_[conversation_id] = state;
        // A since_seq past the end would hide every later message: clamp it.
        self->authorized_join(conversation_id, std::min(since_seq, last_seq));
      });
    });
    if (!queued) send_error({"unavailable", kServerBusy, {}, conversation_id});
  }

  void authorized_join(const std::string& conversation_id, std::int64_t since_seq) {
    if (cursors_.full_for(conversation_id)) {  // other joins completed meanwhile
      return send_error({"too_many_conversations", "leave a conversation first", {},
                         conversation_id});
    }
    auto generation = cursors_.join(conversation_id, since_seq);
    // A visitor reading the conversation: a bot reply being generated for it is still wanted.
    if (token_.claims()->kind == jwt::TokenKind::kVisitor && !rooms_.contains(conversation_id) &&
        present_.insert(conversation_id).second) {
      context_.presence.joined(conversation_id);
    }
    // Subscribe first, read the history once Redis confirmed: nothing falls in between.
    std::weak_ptr<WsSession> weak = shared_from_this();
    context_.hub.watch(conversation_id, shared_from_this(), [weak, conversation_id, generation] {
      auto self = weak.lock();
      if (!self) return;
      net::post(self->socket_.get_executor(), [self, conversation_id, generation] {
        if (!self->closing_) self->cursors_.ready(conversation_id, generation);
      });
    });
  }

  /// Stops the fan-out of `conversation_id` to this socket and, for a visitor, its presence.
  void unwatch(const std::string& conversation_id) {
    context_.hub.unwatch(conversation_id, this);
    if (present_.erase(conversation_id) > 0) context_.presence.left(conversation_id);
    room_left(conversation_id);
  }

  void leave(const std::string& conversation_id) {
    if (!cursors_.leave(conversation_id)) {
      return send_error({"not_joined", "join the conversation first", {}, conversation_id});
    }
    unwatch(conversation_id);
    forget(conversation_id);
    enqueue(make_frame(encode_left(conversation_id)));
  }

  void leave_all() {
    ingest_.clear();  // waiting messages go; answers of calls on the wire still come back
    if (ingest_timer_) ingest_timer_->cancel();
    for (const auto& id : cursors_.clear()) unwatch(id);
    if (!inbox_key_.empty()) context_.hub.unwatch(inbox_key_, this);
    inbox_key_.clear();
    states_.clear();
    typing_.clear();
  }

  /// Drops what the socket keeps per joined conversation besides the cursor.
  void forget(const std::string& conversation_id) {
    states_.erase(conversation_id);
    typing_.forget(conversation_id);
  }

  // --- handoff.request and typing ----------------------------------------------------------------

  /// A visitor asks for a person; answered with the conversation's `conversation.state` (the
  /// other sockets get it through the fan-out when it changed).
  void handoff(const std::string& conversation_id) {
    if (!cursors_.contains(conversation_id)) {
      return send_error({"not_joined", "join the conversation first", {}, conversation_id});
    }
    bool queued = context_.workers.try_submit([self = shared_from_this(), claims = token_.claims(),
                                               conversation_id] {
      common::ScopedRequestId scope(new_ws_request_id());
      ConversationState state;
      auto error = self->context_.chat.request_handoff(*claims, conversation_id, state);
      net::post(self->socket_.get_executor(), [self, conversation_id, state, error] {
        if (self->closing_) return;
        if (error) return self->send_error({error->code, error->message, {}, conversation_id});
        self->enqueue(make_frame(chatwire::encode_conversation_state(
            conversation_id, state.handler, state.waiting_for_human)));
      });
    });
    if (!queued) send_error({"unavailable", kServerBusy, {}, conversation_id});
  }

  /// Relays a typing start/stop to the conversation's other sockets (throttled, never stored;
  /// a frame the throttle or a full worker queue drops is dropped silently).
  void typing(const std::string& conversation_id, bool start) {
    if (!cursors_.contains(conversation_id)) {
      return send_error({"not_joined", "join the conversation first", {}, conversation_id});
    }
    if (!typing_.admit(conversation_id, start, Clock::now())) return;
    context_.metrics.ws_typing_relayed.inc();
    if (auto room = rooms_.find(conversation_id); room != rooms_.end()) {
      return room_typing(conversation_id, room->second, start);
    }
    // A full worker queue drops it like the throttle would (typing is best effort).
    (void)context_.workers.try_submit([self = shared_from_this(), claims = token_.claims(),
                                       conversation_id, start, cached_name = operator_name_] {
      common::ScopedRequestId scope(new_ws_request_id());
      std::string looked_up;
      auto error = self->context_.chat.publish_typing(*claims, cached_name, conversation_id, start,
                                                      &looked_up);
      net::post(self->socket_.get_executor(), [self, conversation_id, looked_up, error] {
        if (self->closing_) return;
        if (error) return self->send_error({error->code, error->message, {}, conversation_id});
        if (!looked_up.empty()) self->operator_name_ = looked_up;
      });
    });
  }

  // --- rooms (docs/protocol.md "Rooms"; the calls are in ws/room_ops) ----------------------------

  /// room.join: membership checked by channel-connector, then joined like a conversation (the
  /// room's replay from since_seq, live frames), recorded online and announced.
  void room_join(const std::string& room_id, std::int64_t since_seq) {
    if (cursors_.full_for(room_id)) {
      return send_error({"too_many_conversations", "leave a conversation first", {}, room_id});
    }
    bool queued = context_.workers.try_submit([self = shared_from_this(), claims = token_.claims(),
                                               room_id, since_seq, cached = operator_name_] {
      common::ScopedRequestId scope(new_ws_request_id());
      RoomPresenceMember me;
      std::string looked_up;
      std::int64_t last_seq = 0;
      auto error = self->context_.rooms.member(*claims, cached, me, &looked_up);
      if (!error) error = self->context_.rooms.authorize_join(*claims, me, room_id, &last_seq);
      if (!error) self->context_.rooms.announce(room_id, me, true);
      net::post(self->socket_.get_executor(), [self, room_id, since_seq, last_seq, me, looked_up, error] {
        if (self->closing_) return;
        if (!looked_up.empty()) self->operator_name_ = looked_up;
        if (error) return self->send_error({error->code, error->message, {}, room_id});
        if (self->cursors_.contains(room_id) || self->cursors_.full_for(room_id)) {
          return self->authorized_join(room_id, std::min(since_seq, last_seq));
        }
        if (self->rooms_.emplace(room_id, me).second) self->context_.rooms.set_present(room_id, me, true);
        self->authorized_join(room_id, std::min(since_seq, last_seq));
      });
    });
    if (!queued) send_error({"unavailable", kServerBusy, {}, room_id});
  }

  /// room.history: a page backwards from before_seq (members only).
  void room_history(const ClientFrame& frame) {
    auto it = rooms_.find(frame.conversation_id);
    if (it == rooms_.end()) return send_error({"not_joined", "join the room first", {}, frame.conversation_id});
    bool queued = context_.workers.try_submit([self = shared_from_this(), claims = token_.claims(),
                                               me = it->second, id = frame.conversation_id,
                                               before = frame.before_seq, limit = frame.limit] {
      common::ScopedRequestId scope(new_ws_request_id());
      std::string out;
      auto error = self->context_.rooms.history(*claims, me, id, before, limit, out);
      net::post(self->socket_.get_executor(), [self, id, out = std::move(out), error]() mutable {
        if (self->closing_) return;
        if (error) return self->send_error({error->code, error->message, {}, id});
        self->enqueue(make_frame(std::move(out)));
      });
    });
    if (!queued) send_error({"unavailable", kServerBusy, {}, frame.conversation_id});
  }

  /// room.presence: who is online in a joined room now.
  void room_presence(const std::string& room_id) {
    if (!rooms_.contains(room_id)) return send_error({"not_joined", "join the room first", {}, room_id});
    bool queued = context_.workers.try_submit([self = shared_from_this(), room_id] {
      std::vector<RoomPresenceMember> online;
      auto error = self->context_.rooms.online(room_id, online);
      std::string out = error ? std::string() : encode_room_presence(room_id, online);
      net::post(self->socket_.get_executor(), [self, room_id, out = std::move(out), error]() mutable {
        if (self->closing_) return;
        if (error) return self->send_error({error->code, error->message, {}, room_id});
        self->enqueue(make_frame(std::move(out)));
      });
    });
    if (!queued) send_error({"unavailable", kServerBusy, {}, room_id});
  }

  /// A relayed typing start/stop in a room (with expires_in_ms); best effort.
  void room_typing(const std::string& room_id, const RoomPresenceMember& me, bool start) {
    if (start) {
      room_typing_.insert(room_id);
    } else {
      room_typing_.erase(room_id);
    }
    (void)context_.workers.try_submit([&rooms = context_.rooms, room_id, me, start] {
      rooms.publish_typing(me, room_id, start);
    });
  }

  /// The socket left a room (leave, failure or close): offline, a typing stop when it was
  /// typing, and the leave announced (best effort: a full worker queue skips the events; the
  /// presence entry itself is released at once and typing expires by itself).
  void room_left(const std::string& room_id) {
    auto it = rooms_.find(room_id);
    if (it == rooms_.end()) return;
    auto me = it->second;
    rooms_.erase(it);
    context_.rooms.set_present(room_id, me, false);
    bool typing = room_typing_.erase(room_id) > 0;
    (void)context_.workers.try_submit([&rooms = context_.rooms, room_id, me, typing] {
      if (typing) rooms.publish_typing(me, room_id, false);
      rooms.announce(room_id, me, false);
    });
  }

  // --- message.send ----------------------------------------------------------------------------

  void post(ClientFrame frame) {
    if (!cursors_.contains(frame.conversation_id)) {
      return send_error({"not_joined", "join the conversation first", frame.client_id,
                         frame.conversation_id});
    }
    // Rooms: the post ends this socket's typing for every member (its message.new), so the
    // client's stop right after it is not relayed (docs/protocol.md "Rooms").
    if (rooms_.contains(frame.conversation_id) && typing_.posted(frame.conversation_id)) {
      room_typing_.erase(frame.conversation_id);
    }
    auto admission = ingest_.admit(std::move(frame), Clock::now());
    switch (admission.verdict) {
      case IngestLanes::Verdict::kStart: return start_post(std::move(admission.frame));
      case IngestLanes::Verdict::kWaiting: return arm_ingest_timer();
      case IngestLanes::Verdict::kRefused: return refuse_post(admission.frame);
    }
  }

  /// Push-back (issue 10): refused before PostMessage, nothing stored; the client may resend
  /// with the same client_id after retry_after_ms.
  void refuse_post(const ClientFrame& frame) {
    send_error({"unavailable", kServerBusy, frame.client_id, frame.conversation_id,
                ingest_.retry_after_ms()});
  }

  /// Calls PostMessage without blocking (gRPC callback API); the answer comes back to this
  /// socket's executor (posted()), never touching the socket from a gRPC thread.
  void start_post(ClientFrame frame) {
    // At most INGEST_MAX_CALLS on the wire, gateway-wide; the rest go in FIFO order.
    context_.ingest.start_call([self = shared_from_this(), frame = std::move(frame)]() mutable {
      if (!self->closing_) return self->call_post(std::move(frame));
      // Closed while it waited for a call's place: not sent; the place goes to the next.
      self->context_.ingest.note_client_gone();
      net::post(self->socket_.get_executor(), [self, frame = std::move(frame)] {
        self->posted(frame.client_id, frame.conversation_id,
                     OpError{"unavailable", "the socket closed"}, {});
      });
    });
  }

  void call_post(ClientFrame frame) {
    auto claims = token_.claims();
    if (auto joined_room = rooms_.find(frame.conversation_id); joined_room != rooms_.end()) {
      return call_room_post(std::move(frame), claims, joined_room->second);
    }
    // One id per WebSocket message: it follows the message through channel-connector and the
    // bot pipeline's calls and logs.
    common::ScopedRequestId scope(new_ws_request_id());
    context_.chat.post_message_async(
        *claims, operator_name_, frame.conversation_id, frame.client_id, frame.text,
        [self = shared_from_this(), client_id = frame.client_id,
         conversation_id = frame.conversation_id](std::optional<OpError> error, PostResult result) {
          net::post(self->socket_.get_executor(),
                    [self, client_id, conversation_id, error = std::move(error),
                     result = std::move(result)] {
                      self->posted(client_id, conversation_id, error, result);
                    });
        });
  }

  /// A room message (rooms: membership-checked PostRoomMessage), like call_post: without
  /// blocking (gRPC callback API), the answer back on this socket's executor (roomcore).
  void call_room_post(ClientFrame frame, const std::shared_ptr<const jwt::Claims>& claims,
                      RoomPresenceMember room) {
    common::ScopedRequestId scope(new_ws_request_id());
    context_.rooms.post_message_async(
        *claims, room, frame.conversation_id, frame.client_id, frame.text,
        [self = shared_from_this(), client_id = frame.client_id,
         conversation_id = frame.conversation_id](std::optional<OpError> error, PostResult result) {
          net::post(self->socket_.get_executor(),
                    [self, client_id, conversation_id, error = std::move(error),
                     result = std::move(result)] {
                      self->posted(client_id, conversation_id, error, result);
                    });
        });
  }

  /// The answer of a PostMessage: the ack (only now: channel-connector committed it) or the
  /// error; then the conversation's next message starts and reading may resume.
  void posted(const std::string& client_id, const std::string& conversation_id,
              const std::optional<OpError>& error, const PostResult& result) {
    context_.ingest.call_done();  // may start another socket's message
    auto outcome = ingest_.finished(conversation_id, Clock::now());
    if (!closing_) {
      if (error) {
        send_error({error->code, error->message, client_id, conversation_id});
      } else {
        if (!result.operator_name.empty()) operator_name_ = result.operator_name;
        enqueue(make_frame(encode_ack(client_id, result.seq, result.message_id, conversation_id)));
      }
    }
    apply(std::move(outcome));
    resume_reading();
  }

  void apply(IngestLanes::Outcome outcome) {
    for (const auto& frame : outcome.refused) {
      if (!closing_) refuse_post(frame);
    }
    for (auto& frame : outcome.start) start_post(std::move(frame));
    arm_ingest_timer();
  }

  /// While a message waits behind its conversation's call, a timer refuses it once it waited
  /// INGEST_MAX_QUEUE_WAIT_MS (it is not sent late). Created on first use.
  void arm_ingest_timer() {
    auto at = ingest_.next_expiry();
    if (!at || closing_) return;
    if (ingest_timer_armed_ && *at >= ingest_timer_at_) return;
    if (!ingest_timer_) ingest_timer_.emplace(socket_.get_executor());
    ingest_timer_at_ = *at;
    ingest_timer_armed_ = true;
    ingest_timer_->expires_at(*at + std::chrono::milliseconds(1));
    ingest_timer_->async_wait([self = shared_from_this()](error_code ec) {
      if (ec) return;  // re-armed or cancelled: the newer wait takes over
      self->ingest_timer_armed_ = false;
      if (self->closing_) return;
      self->apply(self->ingest_.expire(Clock::now()));
    });
  }

  // --- writing ---------------------------------------------------------------------------------

  /// Queues a frame, counted against the budget; past the hard cap the socket is closed.
  void enqueue(Frame frame, WsOpcode opcode = WsOpcode::kText) {
    if (closing_) return;
    if (!queue_.push(std::move(frame), opcode)) return over_hard_cap();
    written_or_queued();
  }

  /// Queues an `error` frame; an `unavailable` one without a hint gets kDefaultRetryAfterMs.
  void send_error(FrameError error) {
    if (error.code == "unavailable" && error.retry_after_ms <= 0) {
      error.retry_after_ms = kDefaultRetryAfterMs;
    }
    enqueue(make_frame(encode_error(error)));
  }

  /// After the queue changed: metrics, and a write unless one is in flight.
  void written_or_queued() {
    account();
    if (!queue_.in_flight()) write_next();
  }

  /// Publishes this socket's counted bytes to the gateway's gauges.
  void account() {
    std::size_t bytes = queue_.bytes();
    auto& m = context_.metrics;
    m.ws_queued_bytes.add(static_cast<std::int64_t>(bytes) - static_cast<std::int64_t>(reported_bytes_));
    reported_bytes_ = bytes;
    if (static_cast<std::int64_t>(bytes) > m.ws_queued_bytes_peak.value()) {
      m.ws_queued_bytes_peak.set(static_cast<std::int64_t>(bytes));
    }
  }

  void flooded() {
    context_.metrics.ws_flood_closes.inc();
    common::logger("ws")->warn("closing a socket over WS_FLOOD_FRAMES_PER_SEC");
    close_with(kClosePolicyViolation, "too many frames");
  }

  void over_hard_cap() {
    context_.metrics.ws_budget_closes.inc();
    common::logger("ws")->warn("closing a socket over WS_SEND_HARD_CAP_BYTES ({} bytes queued)",
                               queue_.bytes());
    close_with(kClosePolicyViolation, "send budget exceeded");
  }

  /// Writes the next batch: every queued frame (up to kMaxBatch) in one gathered write. Small
  /// batches use inline header/buffer storage, so a steady stream of deliveries allocates
  /// nothing here.
  void write_next() {
    if (closed_) return;
    auto batch = queue_.take_batch(kMaxBatch);
    if (batch.empty()) {
      writing_ = false;
      std::vector<std::array<std::uint8_t, 10>>().swap(big_headers_);
      std::vector<net::const_buffer>().swap(big_buffers_);
      if (close_sent_) after_close_sent();
      return;
    }
    if (!writing_) write_started_ = Clock::now();
    writing_ = true;
    std::size_t count = batch.size();
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
      const auto& frame = batch[i];
      std::size_t header = encode_ws_header(frame.opcode, frame.payload->size(), headers[i]);
      buffers[used++] = net::const_buffer(headers[i].data(), header);
      if (!frame.payload->empty()) {
        buffers[used++] = net::const_buffer(frame.payload->data(), frame.payload->size());
      }
      if (frame.opcode == WsOpcode::kClose) close_sent_ = true;
    }
    batch_size_ = count;
    net::async_write(socket_, std::span<const net::const_buffer>(buffers, used),
                     [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    queue_.batch_written();
    account();
    if (ec) {
      writing_ = false;
      return close_now();
    }
    context_.metrics.ws_frames_out.inc(batch_size_);
    write_started_ = Clock::now();  // progress: the stall clock restarts
    write_next();
    if (closed_) return;
    cursors_.drained();
    resume_reading();
  }

  // --- keep-alive, stalls, token expiry ----------------------------------------------------------

  /// Called periodically by the gateway (every few seconds, more often for a short
  /// WS_SEND_TIMEOUT_MS): closes a socket whose write made no progress for WS_SEND_TIMEOUT_MS
  /// with 1008, one whose token expired or was revoked (http/token_revocation.hpp) with 4001, pings a socket idle for half the idle
  /// timeout, drops one idle for the whole timeout (a dead peer), ends a close handshake the
  /// peer never answered.
  void on_tick(Clock::time_point now) {
    if (closed_) return;
    if (closing_) {  // the peer did not complete the close handshake (or does not read)
      if (now - close_started_ >= kCloseTimeout) close_now();
      return;
    }
    if (writing_ && now - write_started_ >= context_.settings.ws_send_timeout) {
      return slow_consumer();
    }
    if (token_.expired(now)) {
      context_.metrics.ws_token_expired_closes.inc();
      return close_with(kCloseTokenExpired, "token expired");
    }
    if (context_.revocations && context_.revocations->known_revoked(*token_.claims())) {
      context_.metrics.ws_token_expired_closes.inc();  // same close as expiry (docs/protocol.md)
      return close_with(kCloseTokenExpired, "token revoked");
    }
    if (inbox_lagging_ && drained()) {
      inbox_lagging_ = false;
      enqueue(make_frame(encode_inbox_resync()));
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
      enqueue(make_frame({}), WsOpcode::kPing);
    }
  }

  // --- closing ---------------------------------------------------------------------------------

  void slow_consumer() {
    context_.metrics.slow_consumer_closes.inc();
    common::logger("ws")->warn(
        "closing a slow consumer: no write progress for {} ms ({} frames, {} bytes queued)",
        context_.settings.ws_send_timeout.count(), queue_.frames(), queue_.bytes());
    close_with(kClosePolicyViolation, "slow consumer");
  }

  /// Starts the closing handshake: drops unsent frames, sends a close frame after the write in
  /// progress, then waits (up to kCloseTimeout, via tick) for the peer's close.
  void close_with(std::uint16_t code, const char* reason) {
    if (closing_ || closed_) return;
    closing_ = true;
    close_started_ = Clock::now();
    leave_all();
    queue_.close(encode_close_payload(code, reason));
    written_or_queued();
    if (!closed_) resume_reading();  // the peer's close frame must be read
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
  SessionToken token_;
  std::shared_ptr<const void> connection_slot_;  // counted against MAX_CONNECTIONS until destroyed
  ServerContext& context_;
  WsFrameParser parser_;
  TokenBucket bucket_;
  TokenBucket flood_;  // every frame, control frames included: over it the socket is closed
  OutboundQueue queue_;
  ConversationCursors cursors_;
  Clock::time_point last_activity_;
  Clock::time_point close_started_{};
  Clock::time_point write_started_{};  // start of the write in flight, or its last progress
  Clock::time_point last_rate_notice_{};
  // The batch in flight: frame headers and the gathered buffers (inline for small batches).
  std::array<std::array<std::uint8_t, 10>, kInlineFrames> inline_headers_;
  std::array<net::const_buffer, kInlineFrames * 2> inline_buffers_;
  std::vector<std::array<std::uint8_t, 10>> big_headers_;
  std::vector<net::const_buffer> big_buffers_;
  std::size_t batch_size_ = 0;
  std::size_t reported_bytes_ = 0;  // this socket's share of gateway_ws_queued_bytes
  std::string operator_name_;  // cached auth GetUser username (user tokens)
  std::string typing_marker_;  // own_typing_marker() of the token's holder
  std::string call_marker_;    // CallSignalling::recipient_marker() of the token's holder
  std::vector<std::pair<std::string, std::string>> calls_;  // (conversation, call) in progress
  // Per joined conversation: its state for conversation.joined (from the join's
  // GetConversation, then live conversation.state events), and the typing throttle.
  std::unordered_map<std::string, ConversationState> states_;
  // Joined conversations this visitor socket is recorded present in (VisitorPresence).
  std::unordered_set<std::string> present_;
  // Rooms joined (room.join): this holder as a room member, per room; and the rooms where its
  // typing `start` was relayed last (a `stop` is sent for them when it leaves or closes).
  std::unordered_map<std::string, RoomPresenceMember> rooms_;
  std::unordered_set<std::string> room_typing_;
  TypingThrottle typing_;
  IngestLanes ingest_;  // message.send admission, order per conversation, wait bound
  std::optional<net::steady_timer> ingest_timer_;  // while a message waits in a lane
  Clock::time_point ingest_timer_at_{};
  bool ingest_timer_armed_ = false;
  bool writing_ = false;
  bool closing_ = false;     // no more data frames: a close frame is queued or sent
  bool close_sent_ = false;  // the close frame is being or has been written
  bool closed_ = false;      // the socket is closed
  bool peer_closed_ = false;
  bool peer_failed_ = false;
  bool ping_sent_ = false;
  bool reading_paused_ = false;  // over the budget: no read pending until the queue drained
  bool rate_notice_sent_ = false;
  std::string inbox_key_;      // chatwire::inbox_key of the tenant while subscribed, else ""
  bool inbox_ready_ = false;   // inbox.subscribed was sent: events are delivered
  bool inbox_lagging_ = false;  // an inbox event was dropped: inbox.resync once drained
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
