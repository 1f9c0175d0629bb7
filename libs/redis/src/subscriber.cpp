#include "botfactory/redis/subscriber.hpp"

#include <array>
#include <atomic>
#include <unordered_map>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <hiredis/hiredis.h>

#include "botfactory/common/logging.hpp"

namespace botfactory::redis {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

std::string_view as_view(const redisReply* r) {
  return (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
          r->type == REDIS_REPLY_ERROR)
             ? std::string_view(r->str, r->len)
             : std::string_view();
}

/// Appends the RESP encoding of the command `args` (binary-safe) to `out`.
void append_argv(std::string& out, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (auto arg : args) {
    argv.push_back(arg.data());
    lens.push_back(arg.size());
  }
  char* formatted = nullptr;
  int n = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(),
                                 lens.data());
  if (n > 0 && formatted) out.append(formatted, static_cast<std::size_t>(n));
  redisFreeCommand(formatted);
}

/// Appends the RESP encoding of `command argument` (`command` may hold several words) to `out`.
void append_command(std::string& out, const char* command, std::string_view argument) {
  std::vector<std::string_view> args;
  std::string_view words(command);
  while (!words.empty()) {
    auto space = words.find(' ');
    args.push_back(words.substr(0, space));
    words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
  }
  args.push_back(argument);
  append_argv(out, args);
}

}  // namespace

class Subscriber::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(net::io_context& io, SubscriberOptions options)
      : strand_(net::make_strand(io)),
        resolver_(strand_),
        socket_(strand_),
        timer_(strand_),
        options_(std::move(options)),
        backoff_(options_.min_backoff),
        log_(common::logger("redis-sub")) {}

  ~Impl() { free_reader(); }

  MessageHandler message_handler_;
  SubscribedHandler subscribed_handler_;
  ReconnectHandler reconnect_handler_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> connects_{0};

  void start() {
    net::post(strand_, [self = shared_from_this()] { self->connect(); });
  }

  void stop() {
    stopped_.store(true);
    connected_.store(false);
    net::post(strand_, [self = shared_from_this()] { self->close(); });
  }

  void subscribe(std::string channel) {
    net::post(strand_, [self = shared_from_this(), channel = std::move(channel)] {
      auto& state = self->channels_[channel];
      if (state.wanted) return;
      state.wanted = true;
      if (self->reader_ != nullptr) {
        ++state.inflight;
        self->send("SUBSCRIBE", channel);
      }
    });
  }

  void unsubscribe(std::string channel) {
    net::post(strand_, [self = shared_from_this(), channel = std::move(channel)] {
      auto it = self->channels_.find(channel);
      if (it == self->channels_.end() || !it->second.wanted) return;
      it->second.wanted = false;
      if (self->reader_ != nullptr) {
        self->send("UNSUBSCRIBE", channel);
      } else {
        self->channels_.erase(it);
      }
    });
  }

 private:
  struct ChannelState {
    bool wanted = false;
    int inflight = 0;     // SUBSCRIBE commands sent and not yet confirmed
    bool resync = false;  // re-subscribed after a connect, confirmation outstanding
  };

  void connect() {
    if (stopped_) return;
    ++generation_;
    auto gen = generation_;
    timer_.expires_after(options_.connect_timeout);
    timer_.async_wait([self = shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->generation_ || self->reader_ != nullptr) return;
      self->resolver_.cancel();
      error_code ignored;
      self->socket_.close(ignored);
    });
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        [self = shared_from_this(), gen](error_code ec, tcp::resolver::results_type results) {
          if (gen != self->generation_ || self->stopped_) return;
          if (ec) return self->fail("resolve", ec);
          net::async_connect(self->socket_, results,
                             [self, gen](error_code ec2, const tcp::endpoint&) {
                               if (gen != self->generation_ || self->stopped_) return;
                               if (ec2) return self->fail("connect", ec2);
                               self->on_connected();
                             });
        });
  }

  void on_connected() {
    timer_.cancel();
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    reader_ = redisReaderCreate();
    backoff_ = options_.min_backoff;
    bool reconnect = connects_.fetch_add(1) > 0;
    resync_pending_ = 0;
    // AUTH goes first; the commands after it are pipelined and fail with NOAUTH if it fails,
    // which the AUTH reply (handled first, in dispatch) turns into a reconnect with backoff.
    auth_pending_ = has_auth(options_.credentials);
    if (auth_pending_) {
      append_argv(pending_, auth_command(options_.credentials));
      if (!writing_) write();
    }
    if (!options_.client_name.empty()) send("CLIENT SETNAME", options_.client_name);
    for (auto it = channels_.begin(); it != channels_.end();) {
      if (!it->second.wanted) {
        it = channels_.erase(it);
        continue;
      }
      it->second.inflight = 1;
      it->second.resync = true;
      ++resync_pending_;
      send("SUBSCRIBE", it->first);
      ++it;
    }
    resyncing_ = true;
    reconnecting_ = reconnect;
    log_->info("connected to {}:{} ({} channels to subscribe)", options_.host, options_.port,
               resync_pending_);
    read();
    maybe_finish_resync();
  }

  void maybe_finish_resync() {
    if (!resyncing_ || resync_pending_ > 0) return;
    resyncing_ = false;
    connected_.store(true);
    if (reconnecting_ && reconnect_handler_ && !stopped_) reconnect_handler_();
  }

  void read() {
    auto gen = generation_;
    socket_.async_read_some(net::buffer(read_buffer_),
                            [self = shared_from_this(), gen](error_code ec, std::size_t n) {
                              if (gen != self->generation_ || self->stopped_) return;
                              if (ec) return self->fail("read", ec);
                              if (!self->consume(n)) return;
                              self->read();
                            });
  }

  /// Feeds `n` bytes to the reply reader and dispatches every complete reply. False on a
  /// protocol error (the connection is then failed).
  bool consume(std::size_t n) {
    if (redisReaderFeed(reader_, read_buffer_.data(), n) != REDIS_OK) {
      fail("protocol", net::error::invalid_argument);
      return false;
    }
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
        fail("protocol", net::error::invalid_argument);
        return false;
      }
      if (raw == nullptr) return true;
      auto* reply = static_cast<redisReply*>(raw);
      dispatch(reply);
      freeReplyObject(reply);
      if (stopped_ || reader_ == nullptr) return false;
    }
  }

  void dispatch(const redisReply* reply) {
    if (auth_pending_) {  // the first reply of the connection answers AUTH
      auth_pending_ = false;
      if (reply->type == REDIS_REPLY_ERROR) {
        log_->warn("authentication to {}:{} failed", options_.host, options_.port);
        fail("auth", net::error::access_denied);
        return;
      }
      return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      log_->warn("redis error reply: {}", common::json_escape(as_view(reply)));
      return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
    auto kind = as_view(reply->element[0]);
    auto channel = as_view(reply->element[1]);
    if (kind == "message") {
      if (message_handler_) message_handler_(channel, as_view(reply->element[2]));
    } else if (kind == "subscribe") {
      auto it = channels_.find(std::string(channel));
      if (it == channels_.end()) return;
      if (it->second.inflight > 0) --it->second.inflight;
      if (it->second.resync) {
        it->second.resync = false;
        if (resync_pending_ > 0) --resync_pending_;
      }
      if (it->second.inflight == 0 && it->second.wanted && subscribed_handler_) {
        subscribed_handler_(channel);
      }
      maybe_finish_resync();
    } else if (kind == "unsubscribe") {
      auto it = channels_.find(std::string(channel));
      if (it != channels_.end() && !it->second.wanted && it->second.inflight == 0) {
        channels_.erase(it);
      }
    }
  }

  void send(const char* command, std::string_view channel) {
    append_command(pending_, command, channel);
    if (!writing_) write();
  }

  void write() {
    if (pending_.empty() || reader_ == nullptr) return;
    writing_ = true;
    in_flight_.swap(pending_);
    auto gen = generation_;
    net::async_write(socket_, net::buffer(in_flight_),
                     [self = shared_from_this(), gen](error_code ec, std::size_t) {
                       if (gen != self->generation_ || self->stopped_) return;
                       self->writing_ = false;
                       self->in_flight_.clear();
                       if (ec) return self->fail("write", ec);
                       self->write();
                     });
  }

  void fail(const char* what, error_code ec) {
    connected_.store(false);
    bool was_connected = reader_ != nullptr;
    reset_connection();
    if (stopped_) return;
    if (was_connected) {
      log_->warn("connection lost ({}: {}); reconnecting", what, ec.message());
    } else {
      log_->warn("{} to {}:{} failed: {}; retry in {} ms", what, options_.host, options_.port,
                 ec.message(), backoff_.count());
    }
    timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, options_.max_backoff);
    timer_.async_wait([self = shared_from_this()](error_code timer_ec) {
      if (!timer_ec) self->connect();
    });
  }

  void reset_connection() {
    ++generation_;  // completions of the old connection are ignored from now on
    error_code ignored;
    resolver_.cancel();
    socket_.close(ignored);
    free_reader();
    writing_ = false;
    pending_.clear();
    in_flight_.clear();
    resyncing_ = false;
    resync_pending_ = 0;
    for (auto it = channels_.begin(); it != channels_.end();) {
      if (!it->second.wanted) {
        it = channels_.erase(it);
      } else {
        it->second.inflight = 0;
        it->second.resync = false;
        ++it;
      }
    }
  }

  void close() {
    timer_.cancel();
    reset_connection();
  }

  void free_reader() {
    if (reader_ != nullptr) redisReaderFree(reader_);
    reader_ = nullptr;
  }

  net::strand<net::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  net::steady_timer timer_;
  SubscriberOptions options_;
  std::chrono::milliseconds backoff_;
  std::shared_ptr<spdlog::logger> log_;

  redisReader* reader_ = nullptr;  // non-null exactly while a connection is established
  std::array<char, 16384> read_buffer_{};
  std::string pending_;    // commands waiting for the write in flight
  std::string in_flight_;  // commands being written
  bool writing_ = false;
  std::unordered_map<std::string, ChannelState> channels_;
  std::uint64_t generation_ = 0;
  bool resyncing_ = false;
  bool auth_pending_ = false;  // AUTH sent, its reply not read yet
  bool reconnecting_ = false;
  std::size_t resync_pending_ = 0;
};

Subscriber::Subscriber(boost::asio::io_context& io, SubscriberOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Subscriber::~Subscriber() { stop(); }

void Subscriber::on_message(MessageHandler handler) { impl_->message_handler_ = std::move(handler); }
void Subscriber::on_subscribed(SubscribedHandler handler) {
  impl_->subscribed_handler_ = std::move(handler);
}
void Subscriber::on_reconnect(ReconnectHandler handler) {
  impl_->reconnect_handler_ = std::move(handler);
}
void Subscriber::start() { impl_->start(); }
void Subscriber::stop() {
  if (!impl_->stopped_.load()) impl_->stop();
}
void Subscriber::subscribe(std::string channel) { impl_->subscribe(std::move(channel)); }
void Subscriber::unsubscribe(std::string channel) { impl_->unsubscribe(std::move(channel)); }
bool Subscriber::connected() const { return impl_->connected_.load(); }
std::uint64_t Subscriber::connect_count() const { return impl_->connects_.load(); }

}  // namespace botfactory::redis
