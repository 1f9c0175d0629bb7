// bench_token_revocation: what the gateway's per-request revocation check costs
// (services/gateway/src/http/token_revocation.hpp; docs/benchmarks.md "Token revocation check").
//   bench_token_revocation <redis host> <redis port> [calls per case, default 20000]
// Cases: a fresh cache entry answers (the hot path within TOKEN_REVOCATION_CACHE_TTL_MS of a
// user's previous request), every call a cache miss (one Redis GET each), and misses on 4
// threads at once (the GETs share one connection). Prints ns per check.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "botfactory/metrics/registry.hpp"
#include "http/token_revocation.hpp"

using namespace botfactory;
using namespace std::chrono_literals;

namespace {

double ns_per_call(gateway::TokenRevocations& r, int threads, int calls) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&r, t, calls] {
      jwt::Claims c;
      c.kind = jwt::TokenKind::kUser;
      c.tenant_id = "t";
      c.issued_at_ms = 1;
      std::vector<std::string> users;
      for (int u = 0; u < 1000; ++u) users.push_back("bench-user-" + std::to_string(t * 1000 + u));
      for (int i = 0; i < calls; ++i) {
        c.subject = users[static_cast<std::size_t>(i % 1000)];
        if (r.revoked(c)) std::abort();
      }
    });
  }
  for (auto& t : pool) t.join();
  auto elapsed = std::chrono::steady_clock::now() - start;
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) /
         (static_cast<double>(calls) * threads);
}

double run(const std::string& host, int port, std::chrono::milliseconds ttl, int threads, int calls) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  gateway::TokenRevocationSettings s;
  s.cache_ttl = ttl;
  s.key_prefix = "bench_revocation:";
  redis::SubscriberOptions o;
  o.host = host;
  o.port = port;
  gateway::TokenRevocations r(io, s, std::make_unique<redis::BlockingClient>(host, port, 250ms), o);
  std::thread io_thread([&io] { io.run(); });
  ns_per_call(r, threads, 1000);  // warm-up: connect, fill the cache
  double ns = ns_per_call(r, threads, calls);
  r.stop();
  work.reset();
  io_thread.join();
  return ns;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <redis host> <redis port> [calls]\n", argv[0]);
    return 2;
  }
  std::string host = argv[1];
  int port = std::atoi(argv[2]);
  int calls = argc > 3 ? std::atoi(argv[3]) : 20000;
  std::printf("cache hit (1 thread):        %8.0f ns/check\n", run(host, port, 60000ms, 1, calls));
  std::printf("cache hit (4 threads):       %8.0f ns/check\n", run(host, port, 60000ms, 4, calls));
  std::printf("miss, Redis GET (1 thread):  %8.0f ns/check\n", run(host, port, 0ms, 1, calls));
  std::printf("miss, Redis GET (4 threads): %8.0f ns/check\n", run(host, port, 0ms, 4, calls));
  auto& unavailable = metrics::Registry::global().counter(
      "gateway_token_revocation_checks_total",
      "User-token revocation checks on REST and upgrades, by how they were answered",
      "result=\"unavailable\"");
  std::printf("checks answered without Redis (failures): %llu\n",
              static_cast<unsigned long long>(unavailable.value()));
  return 0;
}
