#include "botfactory/testenv/http_test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace botfactory::testenv {
namespace {

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string head(int status, std::string_view content_type, const std::vector<std::string>& extra) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  for (const auto& h : extra) out += h + "\r\n";
  return out;
}

}  // namespace

bool HttpTestConnection::write(std::string_view bytes) {
  while (!closed_ && !bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return !closed_;
}

void HttpTestConnection::respond(int status, std::string_view content_type, std::string_view body,
                                 const std::vector<std::string>& extra_headers) {
  write(head(status, content_type, extra_headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        std::string(body));
}

void HttpTestConnection::start_chunks(int status, std::string_view content_type,
                                      const std::vector<std::string>& extra_headers) {
  write(head(status, content_type, extra_headers) + "Transfer-Encoding: chunked\r\n\r\n");
}

bool HttpTestConnection::chunk(std::string_view bytes) {
  if (bytes.empty()) return !closed_;
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return write(std::string(size) + std::string(bytes) + "\r\n");
}

void HttpTestConnection::end_chunks() { write("0\r\n\r\n"); }

void HttpTestConnection::close() {
  if (!closed_) ::shutdown(fd_, SHUT_RDWR);
  closed_ = true;
}

void HttpTestConnection::sleep(std::chrono::milliseconds ms) {
  auto until = std::chrono::steady_clock::now() + ms;
  while (!stopping_) {
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(5)));
  }
}

HttpTestServer::HttpTestServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, SOMAXCONN) != 0) {
    throw std::runtime_error("HttpTestServer: bind/listen failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] {
    while (!stopping_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_) break;
        continue;
      }
      int nodelay = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay);
      ++connections_;
      std::lock_guard lock(mutex_);
      fds_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  });
}

HttpTestServer::~HttpTestServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
  for (int fd : fds_) ::close(fd);
}

std::vector<HttpTestRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void HttpTestServer::serve(int fd) {
  HttpTestConnection connection(fd, stopping_);
  std::string in;
  char buf[4096];
  while (!stopping_ && !connection.closed()) {
    auto end = in.find("\r\n\r\n");
    while (end == std::string::npos) {
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
      end = in.find("\r\n\r\n");
    }
    HttpTestRequest request;
    std::string_view text(in.data(), end);
    auto line_end = text.find("\r\n");
    std::string_view first = text.substr(0, line_end);
    auto sp1 = first.find(' ');
    auto sp2 = first.find(' ', sp1 + 1);
    request.method = std::string(first.substr(0, sp1));
    request.target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
    std::size_t pos = line_end == std::string_view::npos ? text.size() : line_end + 2;
    while (pos < text.size()) {
      auto next = text.find("\r\n", pos);
      if (next == std::string_view::npos) next = text.size();
      auto line = text.substr(pos, next - pos);
      if (auto colon = line.find(':'); colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        request.headers[name] = std::string(value);
      }
      pos = next + 2;
    }
    std::size_t length = 0;
    if (auto it = request.headers.find("content-length"); it != request.headers.end()) length = std::stoul(it->second);
    in.erase(0, end + 4);
    while (in.size() < length) {
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    request.body = in.substr(0, length);
    in.erase(0, length);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    handler_(request, connection);
  }
}

}  // namespace botfactory::testenv
