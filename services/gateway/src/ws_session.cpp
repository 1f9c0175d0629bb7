#include "ws_session.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "botfactory/common/logging.hpp"
#include "chat_ops.hpp"
#include "fanout_hub.hpp"
#include "gateway_metrics.hpp"
#include "rate_limiter.hpp"
#include "server_context.hpp"
#include "session_registry.hpp"
#include "settings.hpp"
#include "ws_protocol.hpp"

namespace botfactory::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = beast::error_code;

constexpr int kReplayPageSize = 200;
constexpr std::size_t kMaxJoinedConversations = 16;
constexpr auto kForcedCloseAfter = std::chrono::seconds(5);
constexpr std::size_t kIdleCapacity = 16;  // queue capacity kept by an idle socket
constexpr std::size_t kIdleReadBuffer = 4096;

Frame make_frame(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

/// One client connection. Everything but on_event/on_resync/shutdown runs on the socket's strand.
///
/// Ordering per joined conversation: `last_seq` is the highest seq sent. While a replay (join or
/// re-sync) is in flight, live message.new frames are buffered and sent after it, skipping what
/// the replay already covered; afterwards frames with seq <= last_seq are dropped, and a gap
/// (seq > last_seq + 1, a lost publish) triggers a replay from last_seq.
class WsSession : public ConversationWatcher,
                  public Closable,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, jwt::Claims claims, ServerContext& context)
      : ws_(std::move(socket)),
        claims_(std::move(claims)),
        context_(context),
        bucket_(context.settings.ws_rate_per_sec, context.settings.ws_burst) {}

  ~WsSession() override {
    context_.sessions.remove(this);
    for (const auto& c : conversations_) context_.hub.unwatch(c.id, this);
    if (open_) context_.metrics.open_websockets.add(-1);
  }

  void start(http::request<http::string_body> request) {
    context_.sessions.add(shared_from_this());
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, "botfactory-gateway");
    }));
    ws_.read_message_max(context_.settings.ws_max_frame_bytes);
    ws_.auto_fragment(false);
    auto shared_request = std::make_shared<http::request<http::string_body>>(std::move(request));
    ws_.async_accept(*shared_request,
                     [self = shared_from_this(), shared_request](error_code ec) {
                       self->on_accept(ec);
                     });
  }

  // --- ConversationWatcher (subscriber strand) ------------------------------------------------

  void on_event(const ConversationId& conversation_id, const Frame& frame,
                std::int64_t seq) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), conversation_id, frame, seq] {
      self->deliver(*conversation_id, frame, seq);
    });
  }

  void on_resync() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      for (auto& c : self->conversations_) self->start_replay(c, /*announce=*/false);
    });
  }

  // --- Closable (any thread) -------------------------------------------------------------------

  void shutdown() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->close_with(websocket::close_code::going_away, "server shutting down");
    });
  }

 private:
  struct Conversation {
    std::string id;
    std::int64_t last_seq = 0;     // highest seq sent to the client
    bool replaying = false;        // a fetch is in flight; live frames go to `buffered`
    bool replay_again = false;     // a re-sync was asked for while replaying
    bool announce = false;         // send conversation.joined when the replay completes
    bool paused = false;           // next replay page waits for the queue to drain
    std::uint64_t generation = 0;  // identifies the current join (stale results are ignored)
    std::vector<SeqFrame> buffered;
  };

  void on_accept(error_code ec) {
    if (ec) {
      common::logger("ws")->info("handshake failed: {}", ec.message());
      return;
    }
    open_ = true;
    context_.metrics.open_websockets.add(1);
    if (context_.stopping) {
      return close_with(websocket::close_code::going_away, "server shutting down");
    }
    read();
  }

  // --- reading ---------------------------------------------------------------------------------

  void read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(error_code ec) {
    if (ec) {
      // Closed by the peer, timed out, or failed (Beast already sent 1009 for an oversized
      // message). Either way the session is over.
      if (ec != websocket::error::closed && ec != net::error::operation_aborted) {
        common::logger("ws")->debug("read ended: {}", ec.message());
      }
      closing_ = true;
      leave_all();
      cancel_close_timer();
      return;
    }
    context_.metrics.ws_frames_in.inc();
    std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    if (read_buffer_.capacity() > kIdleReadBuffer) read_buffer_.shrink_to_fit();
    if (!closing_) {
      if (!ws_.got_text()) {
        send_error({"invalid_message", "only text frames are supported", {}, {}});
      } else if (!bucket_.take(std::chrono::steady_clock::now())) {
        send_error({"rate_limited", "too many frames, slow down", {}, {}});
      } else {
        handle(text);
      }
    }
    if (!closing_) read();
  }

  void handle(std::string_view text) {
    auto parsed = parse_client_frame(text);
    if (parsed.error) return send_error(*parsed.error);
    auto& frame = *parsed.frame;
    switch (frame.type) {
      case ClientFrame::Type::kPing: return enqueue(make_frame(encode_pong()), false);
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
    net::post(context_.workers, [self = shared_from_this(), conversation_id, since_seq] {
      std::int64_t last_seq = 0;
      auto error = self->context_.chat.authorize_join(self->claims_, conversation_id, &last_seq);
      net::post(self->ws_.get_executor(), [self, conversation_id, since_seq, last_seq, error] {
        if (self->closing_) return;
        if (error) return self->send_error({error->code, error->message, {}, conversation_id});
        // A since_seq past the end would hide every later message: clamp it.
        self->authorized_join(conversation_id, std::min(since_seq, last_seq));
      });
    });
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
      net::post(self->ws_.get_executor(), [self, conversation_id, generation] {
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
    enqueue(make_frame(encode_left(conversation_id)), false);
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
    net::post(context_.workers, [self = shared_from_this(), id = conversation.id,
                                 since = conversation.last_seq,
                                 generation = conversation.generation] {
      auto frames = std::make_shared<std::vector<SeqFrame>>();
      bool more = false;
      auto error = self->context_.chat.fetch_messages(id, since, kReplayPageSize, *frames, &more);
      net::post(self->ws_.get_executor(), [self, id, generation, frames, more, error] {
        self->on_page(id, generation, *frames, more, error);
      });
    });
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
      enqueue(std::move(f.frame), false);
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
      enqueue(make_frame(encode_joined(c.id, c.last_seq)), false);
    }
    auto buffered = std::move(c.buffered);
    c.buffered.clear();
    std::sort(buffered.begin(), buffered.end(),
              [](const SeqFrame& a, const SeqFrame& b) { return a.seq < b.seq; });
    for (auto& f : buffered) {
      if (f.seq <= c.last_seq) continue;
      c.last_seq = f.seq;
      enqueue(std::move(f.frame), true);
      if (closing_) return;
    }
    if (c.replay_again) {
      c.replay_again = false;
      start_replay(c, false);
    }
  }

  void resume_paused_replays() {
    for (auto& c : conversations_) {
      if (c.paused && c.replaying) fetch_page(c);
    }
  }

  // --- live events -----------------------------------------------------------------------------

  void deliver(const std::string& conversation_id, const Frame& frame, std::int64_t seq) {
    if (closing_) return;
    auto* c = find(conversation_id);
    if (c == nullptr) return;
    if (seq == 0) return enqueue(frame, true);  // ephemeral (message.delta): no ordering
    if (c->replaying) {
      if (c->buffered.size() >= context_.settings.ws_max_queue) return slow_consumer();
      c->buffered.push_back(SeqFrame{seq, frame});
      return;
    }
    if (seq <= c->last_seq) return;  // already sent (replay overlap or duplicate publish)
    if (seq > c->last_seq + 1) {
      // A publish was lost: fetch the gap from storage; this frame follows from the buffer.
      c->buffered.push_back(SeqFrame{seq, frame});
      return start_replay(*c, false);
    }
    c->last_seq = seq;
    enqueue(frame, true);
  }

  // --- message.send ----------------------------------------------------------------------------

  void post(ClientFrame frame) {
    if (!find(frame.conversation_id)) {
      return send_error({"not_joined", "join the conversation first", frame.client_id,
                         frame.conversation_id});
    }
    net::post(context_.workers, [self = shared_from_this(), frame = std::move(frame),
                                 cached_name = operator_name_] {
      PostResult result;
      auto error = self->context_.chat.post_message(self->claims_, cached_name,
                                                    frame.conversation_id, frame.client_id,
                                                    frame.text, result);
      net::post(self->ws_.get_executor(), [self, frame, result, error] {
        if (self->closing_) return;
        if (error) {
          return self->send_error(
              {error->code, error->message, frame.client_id, frame.conversation_id});
        }
        if (!result.operator_name.empty()) self->operator_name_ = result.operator_name;
        self->enqueue(make_frame(encode_ack(frame.client_id, result.seq, result.message_id,
                                            frame.conversation_id)),
                      false);
      });
    });
  }

  // --- writing ---------------------------------------------------------------------------------

  std::size_t pending() const { return queue_.size() + (sending_.size() - send_index_); }

  /// Queues a frame. `live` frames count against WS_MAX_QUEUE (a client that does not read
  /// is closed with 1008); replies and replay pages are bounded by the request rate and the
  /// page size instead.
  void enqueue(Frame frame, bool live) {
    if (closing_) return;
    if (live && pending() >= context_.settings.ws_max_queue) return slow_consumer();
    queue_.push_back(std::move(frame));
    if (!writing_) write_next();
  }

  void send_error(const FrameError& error) { enqueue(make_frame(encode_error(error)), false); }

  void write_next() {
    if (send_index_ >= sending_.size()) {
      sending_.clear();
      send_index_ = 0;
      if (queue_.empty() || closing_) {
        writing_ = false;
        if (queue_.capacity() > kIdleCapacity) queue_.shrink_to_fit();
        if (sending_.capacity() > kIdleCapacity) sending_.shrink_to_fit();
        return;
      }
      sending_.swap(queue_);  // the whole batch queued so far is written back to back
    }
    writing_ = true;
    ws_.async_write(net::buffer(*sending_[send_index_]),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(error_code ec) {
    sending_[send_index_].reset();
    ++send_index_;
    if (ec) {
      writing_ = false;
      closing_ = true;
      leave_all();
      return;
    }
    context_.metrics.ws_frames_out.inc();
    write_next();
    if (pending() < context_.settings.ws_max_queue / 2) resume_paused_replays();
  }

  // --- closing ---------------------------------------------------------------------------------

  void slow_consumer() {
    context_.metrics.slow_consumer_closes.inc();
    common::logger("ws")->warn("closing a slow consumer ({} frames queued)", pending());
    close_with(websocket::close_code::policy_error, "slow consumer");
  }

  void close_with(websocket::close_code code, const char* reason) {
    if (closing_ || !open_) {
      if (!open_) {
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
      }
      return;
    }
    closing_ = true;
    queue_.clear();
    leave_all();
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](error_code) { self->cancel_close_timer(); });
    // A peer that reads nothing never lets the close frame out: cut the connection then.
    close_timer_ = std::make_unique<net::steady_timer>(ws_.get_executor(), kForcedCloseAfter);
    close_timer_->async_wait([self = shared_from_this()](error_code ec) {
      if (ec) return;
      error_code ignored;
      beast::get_lowest_layer(self->ws_).close(ignored);
    });
  }

  void cancel_close_timer() {
    if (close_timer_) close_timer_->cancel();
  }

  websocket::stream<tcp::socket> ws_;
  jwt::Claims claims_;
  ServerContext& context_;
  beast::flat_buffer read_buffer_;
  TokenBucket bucket_;
  std::vector<Conversation> conversations_;
  std::vector<Frame> queue_;    // waiting for the write in progress
  std::vector<Frame> sending_;  // the batch being written, in order
  std::size_t send_index_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool open_ = false;
  std::string operator_name_;  // cached auth GetUser username (user tokens)
  std::unique_ptr<net::steady_timer> close_timer_;
};

}  // namespace

void run_websocket_session(tcp::socket socket, http::request<http::string_body> request,
                           jwt::Claims claims, ServerContext& context) {
  std::make_shared<WsSession>(std::move(socket), std::move(claims), context)
      ->start(std::move(request));
}

}  // namespace botfactory::gateway
