#include "botfactory/metrics/http_endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "botfactory/metrics/registry.hpp"

namespace botfactory::metrics {
namespace {

void write_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string response(int status, const char* reason, const std::string& content_type,
                     const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

}  // namespace

HttpEndpoint::HttpEndpoint(const std::string& host, int port, Registry& registry,
                           std::function<bool()> ready)
    : registry_(registry), ready_(std::move(ready)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("cannot listen for HTTP on " + host + ":" + std::to_string(port) +
                             ": " + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

void HttpEndpoint::run() {
  while (!stopping_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    serve(client);
    ::close(client);
  }
}

void HttpEndpoint::serve(int client) {
  std::string request;
  char buf[2048];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
    pollfd pfd{client, POLLIN, 0};
    if (::poll(&pfd, 1, 2000) <= 0) return;
    ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n <= 0) return;
    request.append(buf, static_cast<std::size_t>(n));
  }
  auto line_end = request.find("\r\n");
  std::string line = request.substr(0, line_end);
  auto sp1 = line.find(' ');
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) {
    write_all(client, response(400, "Bad Request", "text/plain", "bad request\n"));
    return;
  }
  std::string method = line.substr(0, sp1);
  std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  if (method != "GET") {
    write_all(client, response(405, "Method Not Allowed", "text/plain", "method not allowed\n"));
  } else if (path == "/metrics") {
    write_all(client, response(200, "OK", "text/plain; version=0.0.4", registry_.render()));
  } else if (path == "/healthz") {
    write_all(client, response(200, "OK", "application/json", "{\"status\":\"ok\"}"));
  } else if (path == "/readyz") {
    bool ok = false;
    try {
      ok = ready_ ? ready_() : true;
    } catch (const std::exception&) {
      ok = false;
    }
    write_all(client, ok ? response(200, "OK", "application/json", "{\"status\":\"ready\"}")
                         : response(503, "Service Unavailable", "application/json",
                                    "{\"status\":\"not ready\"}"));
  } else {
    write_all(client, response(404, "Not Found", "text/plain", "not found\n"));
  }
}

}  // namespace botfactory::metrics
