#pragma once
// A small plain-HTTP/1.1 server for tests of outbound clients (raw sockets on 127.0.0.1:0, one
// thread per connection, keep-alive). The handler writes the response itself, so a test can
// send bytes at odd boundaries, pause, or cut the connection — the fakes of model providers
// (services/ai-proxy/tests) are built on it.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace botfactory::testenv {

/// A parsed request: header names lower-cased, body by Content-Length.
struct HttpTestRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;
  std::string body;
};

/// The handler's side of one connection.
class HttpTestConnection {
 public:
  HttpTestConnection(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}
  /// Writes raw bytes; false once the peer is gone.
  bool write(std::string_view bytes);
  /// A complete response with Content-Length (the connection stays open).
  void respond(int status, std::string_view content_type, std::string_view body,
               const std::vector<std::string>& extra_headers = {});
  /// Starts a chunked response; chunk() sends one HTTP chunk; end_chunks() the last one.
  void start_chunks(int status, std::string_view content_type, const std::vector<std::string>& extra_headers = {});
  bool chunk(std::string_view bytes);
  void end_chunks();
  /// Closes the connection now (a response cut in the middle).
  void close();
  /// Sleeps `ms`, returning early when the server stops.
  void sleep(std::chrono::milliseconds ms);
  bool closed() const { return closed_; }

 private:
  int fd_;
  const std::atomic<bool>& stopping_;
  bool closed_ = false;
};

/// Serves `handler` on 127.0.0.1:<port()> until destroyed.
class HttpTestServer {
 public:
  using Handler = std::function<void(const HttpTestRequest&, HttpTestConnection&)>;
  explicit HttpTestServer(Handler handler);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// TCP connections accepted so far.
  int connections() const { return connections_.load(); }
  /// Every request received so far, in order.
  std::vector<HttpTestRequest> requests() const;

 private:
  void serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> workers_;  // guarded by mutex_
  std::vector<int> fds_;              // guarded by mutex_
  std::vector<HttpTestRequest> requests_;
};

}  // namespace botfactory::testenv
