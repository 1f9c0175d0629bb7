// bench_ai_proxy: what ai-proxy adds over calling a provider directly (docs/benchmarks.md,
// "ai-proxy overhead"; DESIGN target: under 0.3 ms at the median).
//
// Both paths run the same provider (the built-in extractive one) against the same in-process
// fake BotRegistryService (gRPC on loopback, a fixed FAQ chunk), so the knowledge search costs
// the same in both:
//   direct: ExtractiveProvider::generate() in this process, deltas into a callback;
//   proxied: ai.v1.AiProxyService/Generate on an in-process rpc::Server (the real
//            AiProxyService), the stream read to its FinalReply.
// The difference of the medians is ai-proxy's cost: one more gRPC hop, protobuf encoding,
// server-streaming of the deltas, the provider lookup.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "ai_service.hpp"
#include "botfactory/ai/v1/ai.grpc.pb.h"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"
#include "extractive_provider.hpp"
#include "knowledge_search.hpp"

namespace {

using namespace botfactory;
using Clock = std::chrono::steady_clock;

const std::string kTenant = "11111111-1111-4111-8111-111111111111";
const std::string kBot = "22222222-2222-4222-8222-222222222222";
const std::string kQuestion = "Will Firefox Relay forward emails with attachments?";

/// Answers every SearchKnowledge with one real Firefox Relay FAQ chunk (MPL-2.0,
/// deploy/seed/mozilla-faq).
class FixedRegistry final : public registry::v1::BotRegistryService::Service {
 public:
  grpc::Status SearchKnowledge(grpc::ServerContext*, const registry::v1::SearchKnowledgeRequest*,
                               registry::v1::SearchKnowledgeResponse* response) override {
    auto* chunk = response->add_chunks();
    chunk->set_chunk_id("chunk-1");
    chunk->set_document_id("doc-1");
    chunk->set_document_title("Will Firefox Relay forward emails with attachments?");
    chunk->set_text(
        "Will Firefox Relay forward emails with attachments?\n\nWe now support attachment "
        "forwarding. However, there is a 10 MB limit for email forwarding using Relay. Any emails "
        "larger than 10 MB will not be forwarded.");
    chunk->set_score(6.4);
    return grpc::Status::OK;
  }
};

struct Stats {
  double p50 = 0, p90 = 0, p99 = 0;
};

Stats stats(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[static_cast<std::size_t>(q * (us.size() - 1))]; };
  return {at(0.50), at(0.90), at(0.99)};
}

double elapsed_us(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) try {
  int calls = argc > 1 ? std::stoi(argv[1]) : 2000;
  ai::ExtractiveSettings settings;
  settings.words_per_delta = 0;  // ai-proxy's default (EXTRACTIVE_WORDS_PER_DELTA): one delta
  if (argc > 2) settings.words_per_delta = static_cast<std::size_t>(std::stoi(argv[2]));
  if (calls < 10) {
    throw std::runtime_error("usage: bench_ai_proxy [CALLS >= 10] [WORDS_PER_DELTA, 0 = whole reply]");
  }
  auto timeout = std::chrono::milliseconds(5000);

  FixedRegistry registry_service;
  rpc::Server registry_server("127.0.0.1:0", {&registry_service});
  auto search = std::make_shared<ai::GrpcKnowledgeSearch>(
      rpc::make_channel("127.0.0.1:" + std::to_string(registry_server.port())), timeout);
  auto provider = std::make_shared<ai::ExtractiveProvider>(search, settings);

  ai::AiProxyDeps deps;  // as main(): callback serving, a small bounded worker pool
  deps.providers = std::make_shared<ai::ProviderRegistry>(provider);
  deps.search = search;
  deps.workers = std::make_shared<ai::WorkerPool>(4, 256);
  ai::AiProxyService proxy_service(std::move(deps));
  rpc::Server proxy_server("127.0.0.1:0", {&proxy_service});
  auto stub = ai::v1::AiProxyService::NewStub(
      rpc::make_channel("127.0.0.1:" + std::to_string(proxy_server.port())));

  ai::GenerateInput input;
  input.tenant_id = kTenant;
  input.bot_id = kBot;
  input.user_text = kQuestion;
  ai::v1::GenerateRequest request;
  request.set_tenant_id(kTenant);
  request.set_bot_id(kBot);
  request.set_language("en");
  request.mutable_provider()->set_provider("extractive");
  request.set_user_text(kQuestion);

  std::size_t deltas = 0;  // per reply
  auto direct = [&] {
    ai::FinalReply reply;
    deltas = 0;
    provider->generate(input, [&](std::string_view) { return ++deltas > 0; }, reply);
    if (!reply.answered) throw std::runtime_error("direct call did not answer");
  };
  auto proxied = [&] {
    grpc::ClientContext context;
    rpc::set_deadline(context, timeout);
    auto reader = stub->Generate(&context, request);
    ai::v1::GenerateResponse event;
    bool answered = false;
    while (reader->Read(&event)) {
      if (event.has_final()) answered = event.final().answered();
    }
    auto status = reader->Finish();
    if (!status.ok() || !answered) throw std::runtime_error("Generate failed: " + status.error_message());
  };

  for (int i = 0; i < 200; ++i) {  // warm up connections, allocators, caches
    direct();
    proxied();
  }
  std::vector<double> direct_us, proxied_us;
  direct_us.reserve(calls);
  proxied_us.reserve(calls);
  for (int i = 0; i < calls; ++i) {  // interleaved, so both see the same machine state
    auto start = Clock::now();
    direct();
    direct_us.push_back(elapsed_us(start));
    start = Clock::now();
    proxied();
    proxied_us.push_back(elapsed_us(start));
  }
  auto d = stats(direct_us);
  auto p = stats(proxied_us);
  std::printf("| path | calls | p50 ms | p90 ms | p99 ms |\n|---|---|---|---|---|\n");
  std::printf("| provider called directly | %d | %.3f | %.3f | %.3f |\n", calls, d.p50 / 1000,
              d.p90 / 1000, d.p99 / 1000);
  std::printf("| through ai-proxy Generate | %d | %.3f | %.3f | %.3f |\n", calls, p.p50 / 1000,
              p.p90 / 1000, p.p99 / 1000);
  std::printf("\n%zu delta(s) per reply (words per delta: %zu, 0 = all). ai-proxy adds %.3f ms at the median "
              "(%.3f at p90).\n", deltas, settings.words_per_delta, (p.p50 - d.p50) / 1000,
              (p.p90 - d.p90) / 1000);
  std::fprintf(stderr, "RESULT {\"calls\":%d,\"direct_p50_ms\":%.4f,\"proxied_p50_ms\":%.4f,"
               "\"overhead_p50_ms\":%.4f}\n", calls, d.p50 / 1000, p.p50 / 1000,
               (p.p50 - d.p50) / 1000);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_ai_proxy: %s\n", e.what());
  return 1;
}
