// The libcurl-multi client against local servers on 127.0.0.1:0 (no internet): plain HTTP
// (testenv::HttpTestServer) and HTTPS with a self-signed certificate (tls_test_server.hpp).

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "botfactory/http_client/http_client.hpp"
#include "botfactory/testenv/http_test_server.hpp"
#include "tls_test_server.hpp"

using namespace botfactory;
using namespace std::chrono_literals;
using http::Failure;
using Read = http::Response::Read;
using testenv::HttpTestConnection;
using testenv::HttpTestRequest;
using testenv::HttpTestServer;

namespace {

struct Outcome {
  Read last = Read::kWaiting;
  std::string body;
  int pieces = 0;
};

Outcome drain(http::Response& response, std::chrono::milliseconds max_wait = 10s) {
  Outcome outcome;
  std::string piece;
  while ((outcome.last = response.read(piece, max_wait)) == Read::kData) {
    outcome.body += piece;
    ++outcome.pieces;
  }
  return outcome;
}

http::Request post(const HttpTestServer& server, std::string path, std::string body = "{}") {
  http::Request request;
  request.url = server.base_url() + path;
  request.headers = {"Content-Type: application/json", "Authorization: Bearer k"};
  request.body = std::move(body);
  request.connect_timeout = 2s;
  request.first_byte_timeout = 5s;
  request.total_timeout = 10s;
  return request;
}

}  // namespace

TEST_CASE("http client: status, headers, body; connections are reused") {
  HttpTestServer server([](const HttpTestRequest& request, HttpTestConnection& c) {
    c.respond(request.target == "/missing" ? 404 : 200, "application/json", "{\"echo\":" + request.body + "}",
              {"Retry-After: 7"});
  });
  http::Client client;
  for (int i = 0; i < 3; ++i) {
    auto response = client.start(post(server, "/v1/x", "[" + std::to_string(i) + "]"));
    auto outcome = drain(*response);
    REQUIRE(outcome.last == Read::kEnd);
    CHECK(response->status() == 200);
    CHECK(response->header("retry-after") == "7");
    CHECK(response->header("Content-Type") == "application/json");
    CHECK(outcome.body == "{\"echo\":[" + std::to_string(i) + "]}");
    CHECK(response->new_connections() == (i == 0 ? 1 : 0));
  }
  auto missing = client.start(post(server, "/missing"));
  CHECK(drain(*missing).last == Read::kEnd);
  CHECK(missing->status() == 404);
  CHECK(server.connections() == 1);
  auto requests = server.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].headers["authorization"] == "Bearer k");
  CHECK(requests[0].headers.count("expect") == 0);
  CHECK(client.in_flight() == 0);
}

TEST_CASE("http client: a chunked stream arrives piece by piece; a cut stream fails") {
  HttpTestServer server([](const HttpTestRequest& request, HttpTestConnection& c) {
    c.start_chunks(200, "text/event-stream");
    for (int i = 0; i < 5; ++i) {
      c.chunk("part" + std::to_string(i) + ";");
      c.sleep(20ms);
    }
    if (request.target == "/cut") {
      c.close();
      return;
    }
    c.end_chunks();
  });
  http::Client client;
  auto response = client.start(post(server, "/stream"));
  auto outcome = drain(*response);
  CHECK(outcome.last == Read::kEnd);
  CHECK(outcome.body == "part0;part1;part2;part3;part4;");
  CHECK(outcome.pieces > 1);

  auto cut = client.start(post(server, "/cut"));
  outcome = drain(*cut);
  CHECK(outcome.last == Read::kFailed);
  CHECK(cut->failure() == Failure::kTransport);
  CHECK(outcome.body == "part0;part1;part2;part3;part4;");
}

TEST_CASE("http client: connect failure, first-byte and total timeouts") {
  int dead_port;
  {
    HttpTestServer temporary([](const HttpTestRequest&, HttpTestConnection&) {});
    dead_port = temporary.port();
  }
  http::Client client;
  http::Request request;
  request.url = "http://127.0.0.1:" + std::to_string(dead_port) + "/";
  auto refused = client.start(request);
  CHECK(drain(*refused).last == Read::kFailed);
  CHECK(refused->failure() == Failure::kConnect);

  HttpTestServer slow([](const HttpTestRequest& request, HttpTestConnection& c) {
    if (request.target == "/head-only") {
      c.start_chunks(200, "text/event-stream");
      c.sleep(3s);
      return;
    }
    c.start_chunks(200, "text/event-stream");
    c.chunk("first");
    c.sleep(3s);
  });
  auto first = post(slow, "/head-only");
  first.first_byte_timeout = 200ms;
  auto no_body = client.start(first);
  CHECK(drain(*no_body).last == Read::kFailed);
  CHECK(no_body->failure() == Failure::kFirstByteTimeout);
  CHECK(no_body->status() == 200);

  auto total = post(slow, "/slow");
  total.total_timeout = 300ms;
  auto stalled = client.start(total);
  auto outcome = drain(*stalled);
  CHECK(outcome.last == Read::kFailed);
  CHECK(stalled->failure() == Failure::kTimeout);
  CHECK(outcome.body == "first");
}

TEST_CASE("http client: cancel from another thread; the concurrency bound; flow control") {
  HttpTestServer server([](const HttpTestRequest& request, HttpTestConnection& c) {
    c.start_chunks(200, "text/plain");
    if (request.target == "/big") {
      std::string block(1000, 'x');
      for (int i = 0; i < 200 && c.chunk(block); ++i) {
      }
      c.end_chunks();
      return;
    }
    c.chunk("hello");
    c.sleep(5s);
  });
  http::ClientSettings settings;
  settings.max_concurrent = 2;
  settings.max_buffered_bytes = 4096;
  http::Client client(settings);
  auto a = client.start(post(server, "/hang"));
  auto b = client.start(post(server, "/hang"));
  auto c = client.start(post(server, "/hang"));
  std::string piece;
  CHECK(c->read(piece, 1s) == Read::kFailed);
  CHECK(c->failure() == Failure::kOverloaded);
  REQUIRE(a->read(piece, 5s) == Read::kData);
  CHECK(piece == "hello");
  CHECK(a->read(piece, 50ms) == Read::kWaiting);

  std::thread canceller([&] { a->cancel(); });
  CHECK(drain(*a).last == Read::kFailed);
  canceller.join();
  CHECK(a->failure() == Failure::kCancelled);
  b.reset();  // destroying a response cancels it
  for (int i = 0; i < 100 && client.in_flight() > 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(client.in_flight() == 0);

  // 200 kB through a 4 kB buffer: the transfer pauses and resumes, nothing is lost, and no
  // single read returns more than the bound plus one network read (16 kB, CURL_MAX_WRITE_SIZE).
  auto big = client.start(post(server, "/big"));
  std::this_thread::sleep_for(200ms);  // let the server fill the buffer: the transfer pauses
  std::size_t total = 0, largest = 0;
  Read last;
  while ((last = big->read(piece, 5s)) == Read::kData) {
    total += piece.size();
    largest = std::max(largest, piece.size());
  }
  CHECK(last == Read::kEnd);
  CHECK(total == 200000);
  CHECK(largest <= 4096 + 16384);
}

TEST_CASE("http client: TLS peers are verified (a self-signed server fails unless its CA is given)") {
  http::test::TlsTestServer server;
  http::Request request;
  request.method = "GET";
  request.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  {
    http::Client client;  // the system's CA bundle: the self-signed certificate is refused
    auto response = client.start(request);
    CHECK(drain(*response).last == Read::kFailed);
    CHECK(response->failure() == Failure::kTransport);
    CHECK(response->status() == 0);
    CHECK_THAT(response->message(), Catch::Contains("certificate"));
  }
  http::ClientSettings settings;
  settings.ca_file = server.ca_file();
  http::Client trusting(settings);
  auto response = trusting.start(request);
  auto outcome = drain(*response);
  REQUIRE(outcome.last == Read::kEnd);
  CHECK(response->status() == 200);
  CHECK(outcome.body == "ok");
  // The certificate names 127.0.0.1 only: another name for the same server fails the host check.
  request.url = "https://localhost:" + std::to_string(server.port()) + "/";
  auto wrong_name = trusting.start(request);
  CHECK(drain(*wrong_name).last == Read::kFailed);
  CHECK(wrong_name->failure() == Failure::kTransport);
  CHECK_THAT(wrong_name->message(), Catch::Contains("certificate"));
}

namespace {

/// What the push callbacks saw, for a waiting test thread.
struct Pushed {
  std::mutex mutex;
  std::condition_variable cv;
  long status = 0;
  std::string retry_after, body;
  int heads = 0, pieces = 0, completions = 0;
  Failure failure = Failure::kNone;
  std::thread::id thread;

  http::StreamCallbacks callbacks() {
    http::StreamCallbacks c;
    c.on_head = [this](long s, const http::Headers& headers) {
      std::lock_guard lock(mutex);
      status = s;
      ++heads;
      if (auto it = headers.find("retry-after"); it != headers.end()) retry_after = it->second;
    };
    c.on_body = [this](std::string_view bytes) {
      std::lock_guard lock(mutex);
      body += bytes;
      ++pieces;
      thread = std::this_thread::get_id();
    };
    c.on_complete = [this](Failure f, const std::string&) {
      std::lock_guard lock(mutex);
      failure = f;
      ++completions;
      cv.notify_all();
    };
    return c;
  }
  bool wait(std::chrono::milliseconds max = 10s) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, max, [&] { return completions > 0; });
  }
};

}  // namespace

TEST_CASE("http client push interface: head, body pieces and one completion on the event thread") {
  HttpTestServer server([](const HttpTestRequest& request, HttpTestConnection& c) {
    if (request.target == "/limited") {
      c.respond(429, "application/json", "{}", {"Retry-After: 7"});
      return;
    }
    c.start_chunks(200, "text/event-stream");
    for (int i = 0; i < 5; ++i) {
      c.chunk("data: " + std::to_string(i) + "\n\n");
      c.sleep(20ms);
    }
    c.end_chunks();
  });
  http::Client client;
  Pushed ok;
  client.start(post(server, "/stream"), ok.callbacks());
  REQUIRE(ok.wait());
  CHECK(ok.failure == Failure::kNone);
  CHECK(ok.status == 200);
  CHECK(ok.heads == 1);
  CHECK(ok.completions == 1);
  CHECK(ok.body == "data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
  CHECK(ok.pieces >= 2);  // pushed as they came
  CHECK(ok.thread != std::this_thread::get_id());

  Pushed limited;
  client.start(post(server, "/limited"), limited.callbacks());
  REQUIRE(limited.wait());
  CHECK(limited.status == 429);
  CHECK(limited.retry_after == "7");
  CHECK(limited.failure == Failure::kNone);
}

TEST_CASE("http client: destroyed from its own completion callback, it neither deadlocks nor aborts") {
  HttpTestServer server([](const HttpTestRequest&, HttpTestConnection& c) {
    c.respond(200, "text/plain", "ok");
  });
  // The last reference to the client is dropped on its event thread (as when a served call's
  // completion releases the providers that own the client): the destructor cannot join there.
  for (int round = 0; round < 20; ++round) {
    auto client = std::make_shared<http::Client>();
    std::mutex mutex;
    std::condition_variable cv;
    bool destroyed = false;
    http::StreamCallbacks callbacks;
    auto holder = std::make_shared<std::shared_ptr<http::Client>>(client);
    callbacks.on_complete = [holder, &mutex, &cv, &destroyed](Failure, const std::string&) {
      holder->reset();  // ~Client on the event thread
      std::lock_guard lock(mutex);
      destroyed = true;
      cv.notify_all();
    };
    client->start(post(server, "/"), std::move(callbacks));
    client.reset();  // the callback now holds the only reference
    std::unique_lock lock(mutex);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return destroyed; }));
  }
}

TEST_CASE("http client push interface: cancel, delayed start, overload and connect failure complete once") {
  HttpTestServer server([](const HttpTestRequest&, HttpTestConnection& c) {
    c.start_chunks(200, "text/event-stream");
    c.chunk("data: first\n\n");
    c.sleep(5000ms);
    c.end_chunks();
  });
  http::ClientSettings settings;
  settings.max_concurrent = 2;
  http::Client client(settings);

  Pushed cancelled;
  auto call = client.start(post(server, "/hang"), cancelled.callbacks());
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(cancelled.mutex);
      if (!cancelled.body.empty()) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  call->cancel();
  call->cancel();  // idempotent
  REQUIRE(cancelled.wait(2s));  // at once, not after the server's 5 s
  CHECK(cancelled.failure == Failure::kCancelled);
  CHECK(cancelled.completions == 1);

  // A delayed start can be cancelled before it is sent; nothing reaches the server.
  auto requests = server.requests().size();
  Pushed delayed;
  auto request = post(server, "/later");
  request.start_after = 10s;
  auto later = client.start(request, delayed.callbacks());
  later->cancel();
  REQUIRE(delayed.wait(2s));
  CHECK(delayed.failure == Failure::kCancelled);
  CHECK(server.requests().size() == requests);

  // Over max_concurrent: kOverloaded, reported on the event thread.
  Pushed a, b, c;
  auto call_a = client.start(post(server, "/hang"), a.callbacks());
  auto call_b = client.start(post(server, "/hang"), b.callbacks());
  client.start(post(server, "/hang"), c.callbacks());
  REQUIRE(c.wait());
  CHECK(c.failure == Failure::kOverloaded);
  call_a->cancel();
  call_b->cancel();
  REQUIRE(a.wait());
  REQUIRE(b.wait());

  // Nothing listens: kConnect.
  Pushed refused;
  auto dead = post(server, "/");
  dead.url = "http://127.0.0.1:1/";
  client.start(dead, refused.callbacks());
  REQUIRE(refused.wait());
  CHECK(refused.failure == Failure::kConnect);
  CHECK(refused.heads == 0);
}

TEST_CASE("http client: the strict address policy refuses private addresses before connecting") {
  HttpTestServer server([](const HttpTestRequest&, HttpTestConnection& c) { c.respond(200, "application/json", "{}"); });
  http::Client client;
  auto port = std::to_string(server.port());
  // Literal, bracketed IPv6-mapped, and a name (localhost) resolving to loopback: all blocked.
  for (std::string host : {"127.0.0.1", "[::ffff:127.0.0.1]", "localhost", "127.1", "[::1]"}) {
    INFO(host);
    auto request = post(server, "/v1/secret");
    request.url = "http://" + host + ":" + port + "/v1/secret?token=abc";
    request.body = "{\"private\":\"request data\"}";
    request.allow_private_addresses = false;
    auto response = client.start(request);
    CHECK(drain(*response).last == Read::kFailed);
    CHECK(response->failure() == Failure::kBlockedAddress);
    CHECK(response->message().find("private") != std::string::npos);
    CHECK(response->message().find("secret") == std::string::npos);  // no request data
    CHECK(response->message().find("request data") == std::string::npos);
  }
  CHECK(server.connections() == 0);  // not even a TCP handshake reached the server

  // The push interface reports the same failure.
  std::mutex mutex;
  std::condition_variable done;
  std::optional<Failure> pushed;
  auto strict = post(server, "/v1/x");
  strict.allow_private_addresses = false;
  http::StreamCallbacks callbacks;
  callbacks.on_complete = [&](Failure failure, const std::string&) {
    std::lock_guard lock(mutex);
    pushed = failure;
    done.notify_all();
  };
  client.start(strict, callbacks);
  {
    std::unique_lock lock(mutex);
    REQUIRE(done.wait_for(lock, 10s, [&] { return pushed.has_value(); }));
  }
  CHECK(*pushed == Failure::kBlockedAddress);
  CHECK(server.connections() == 0);

  // The permissive (default) policy reaches the same server.
  auto allowed = client.start(post(server, "/v1/x"));
  CHECK(drain(*allowed).last == Read::kEnd);
  CHECK(allowed->status() == 200);
  CHECK(server.connections() == 1);
  CHECK(server.requests().size() == 1);

  // A strict request must not ride the cached connection the permissive one left open.
  auto reuse = post(server, "/v1/again");
  reuse.allow_private_addresses = false;
  auto reused = client.start(reuse);
  CHECK(drain(*reused).last == Read::kFailed);
  CHECK(reused->failure() == Failure::kBlockedAddress);
  CHECK(server.requests().size() == 1);  // nothing was written on it
  CHECK(client.in_flight() == 0);
}

TEST_CASE("http client: only http and https URLs are fetched") {
  http::Client client;
  for (const char* url : {"file:///etc/passwd", "gopher://127.0.0.1:70/", "dict://127.0.0.1:11211/stat", "ftp://127.0.0.1/"}) {
    INFO(url);
    http::Request request;
    request.method = "GET";
    request.url = url;
    auto response = client.start(request);
    CHECK(drain(*response).last == Read::kFailed);
    CHECK(response->failure() == Failure::kTransport);
  }
}
