#pragma once
// Asynchronous Redis pub/sub client on Boost.Asio (RESP2 over TCP, replies parsed with hiredis'
// redisReader). Used by the gateway's fan-out hub; the header keeps Asio out of its users.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "botfactory/redis/credentials.hpp"

namespace boost::asio {
class io_context;
}

namespace botfactory::redis {

/// Settings of a Subscriber.
struct SubscriberOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  /// Reconnect delay: starts at `min_backoff`, doubles after each failed attempt up to
  /// `max_backoff`, resets after a successful connect.
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
  /// CLIENT SETNAME sent first on every connection (no spaces); empty = none. Lets operators
  /// and tests find this connection in CLIENT LIST.
  std::string client_name;
  /// Bound on resolving + connecting one attempt.
  std::chrono::milliseconds connect_timeout{2000};
  /// AUTH sent first on every connection when it has a password; a refused AUTH is a failed
  /// connection (retried with backoff).
  Credentials credentials;
};

/// One pub/sub connection (SUBSCRIBE/UNSUBSCRIBE, https://redis.io/docs/manual/pubsub/) that
/// runs on its own strand of an io_context. It keeps the set of wanted channels and re-subscribes
/// all of them after every reconnect, then calls the reconnect handler, so a user can re-sync
/// from durable storage what was published while the connection was down.
///
/// Handlers run on the subscriber's strand, one at a time; they must not block. Set them before
/// start(). subscribe()/unsubscribe()/stop() are thread-safe. The io_context must run until
/// stop() has completed (the destructor calls stop()).
class Subscriber {
 public:
  /// `payload` and `channel` are valid only during the call.
  using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;
  /// Redis confirmed the subscription of `channel` (after every SUBSCRIBE of it that is in flight).
  using SubscribedHandler = std::function<void(std::string_view channel)>;
  /// After a reconnect, once every wanted channel is confirmed again. Not called on the first
  /// connect.
  using ReconnectHandler = std::function<void()>;

  Subscriber(boost::asio::io_context& io, SubscriberOptions options);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  void on_message(MessageHandler handler);
  void on_subscribed(SubscribedHandler handler);
  void on_reconnect(ReconnectHandler handler);

  /// Starts connecting (and reconnecting until stop()).
  void start();
  /// Stops for good: no handler is called once it returns (unless one is running right now on
  /// another thread), the socket is closed asynchronously on the strand. Safe to call twice.
  void stop();

  /// Adds `channel` to the wanted set and sends SUBSCRIBE when connected. Idempotent.
  void subscribe(std::string channel);
  /// Removes `channel` from the wanted set and sends UNSUBSCRIBE when connected. Idempotent.
  void unsubscribe(std::string channel);

  /// True while connected to Redis and not in the middle of re-subscribing after a reconnect.
  bool connected() const;
  /// Number of successful connects so far (1 after the first connect). For tests and metrics.
  std::uint64_t connect_count() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace botfactory::redis
