#pragma once
// The gateway's HTTP/1.1 listener: REST `/api/v1`, the `/ws` upgrade, static files and the ops
// endpoints `/healthz`, `/readyz`, `/metrics`. Beast code lives in http_server.cpp only.

#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace botfactory::gateway {

struct ServerContext;

/// Accepts connections on one address; each connection runs on its own strand.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerContext& context);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds `host`:`port` (0 = any free port) and starts accepting. Throws
  /// boost::system::system_error when the address cannot be bound.
  void start(const std::string& host, unsigned short port);
  /// The bound port (after start()).
  unsigned short port() const;
  /// Stops accepting new connections (asynchronous; existing ones are not touched).
  void stop_accepting();

 private:
  class Listener;
  std::shared_ptr<Listener> listener_;
  boost::asio::io_context& io_;
  ServerContext& context_;
};

}  // namespace botfactory::gateway
