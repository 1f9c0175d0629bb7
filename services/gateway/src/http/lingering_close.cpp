#include "http/lingering_close.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/steady_timer.hpp>

#include "gateway_metrics.hpp"

namespace botfactory::gateway {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

/// One lingering socket: a read loop and one timer for the time bound; whichever ends first
/// closes the socket (both run on the socket's executor, so never at once).
class Linger : public std::enable_shared_from_this<Linger> {
 public:
  Linger(tcp::socket socket, LingerBounds bounds, GatewayMetrics& metrics,
         std::shared_ptr<const void> hold)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), left_(bounds.max_bytes),
        time_(bounds.time), metrics_(metrics), hold_(std::move(hold)) {}

  void start() {
    timer_.expires_after(time_);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->closed_) return;
      self->metrics_.http_linger_time_cutoffs.inc();
      self->close();
    });
    read();
  }

 private:
  void read() {
    auto chunk = std::min(left_, buffer_.size());
    socket_.async_read_some(net::buffer(buffer_.data(), chunk),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              if (self->closed_) return;
                              if (ec) return self->close();  // the client closed (or reset)
                              self->left_ -= std::min(n, self->left_);
                              if (self->left_ == 0) {
                                self->metrics_.http_linger_bytes_cutoffs.inc();
                                return self->close();
                              }
                              self->read();
                            });
  }

  void close() {
    closed_ = true;
    timer_.cancel();
    error_code ignored;
    socket_.close(ignored);
    hold_.reset();  // e.g. the connection slot: free from now on
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  std::size_t left_;
  std::chrono::milliseconds time_;
  GatewayMetrics& metrics_;
  std::shared_ptr<const void> hold_;
  bool closed_ = false;
  std::array<char, 16384> buffer_{};
};

}  // namespace

void lingering_close(tcp::socket socket, LingerBounds bounds, GatewayMetrics& metrics,
                     std::shared_ptr<const void> hold) {
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  if (bounds.max_bytes == 0 || bounds.time.count() <= 0 || !socket.is_open()) {
    socket.close(ignored);
    return;
  }
  metrics.http_lingering_closes.inc();
  try {
    std::make_shared<Linger>(std::move(socket), bounds, metrics, std::move(hold))->start();
  } catch (const std::exception&) {  // out of memory: close at once (the socket is closed by
  }                                  // its destructor)
}

}  // namespace botfactory::gateway
