// 200 concurrent streaming replies on one ai-proxy (real gRPC on 127.0.0.1:0, callback API)
// from a fake OpenAI server that streams slowly (one event every 100 ms) and runs in a child
// process, so that this process's thread count (/proc/self/status "Threads") is ai-proxy's and
// the clients' only: it must stay far below one thread per reply.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/server.hpp"
#include "chat_model_provider.hpp"
#include "fake_model_servers.hpp"
#include "openai_wire.hpp"
#include "proxy_harness.hpp"

using namespace botfactory;
using namespace std::chrono_literals;

namespace {

const std::string kTenant = "11111111-1111-4111-8111-111111111111";
const std::string kBot = "22222222-2222-4222-8222-222222222222";
const std::string kKey = "sk-test-0123456789";
constexpr int kReplies = 200;

/// Threads of this process now.
int thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

/// The fake OpenAI server in a child process; its base URL comes back through a pipe and it
/// exits when the parent closes the other pipe.
struct ChildModelServer {
  pid_t pid = -1;
  int stop_fd = -1;
  std::string base_url;

  ChildModelServer() {
    int url_pipe[2], stop_pipe[2];
    REQUIRE(pipe(url_pipe) == 0);
    REQUIRE(pipe(stop_pipe) == 0);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(url_pipe[0]);
      close(stop_pipe[1]);
      {
        ai::test::FakeOpenAi fake(kKey);
        auto url = fake.base_url();
        (void)!write(url_pipe[1], url.data(), url.size());
        close(url_pipe[1]);
        char byte;
        while (read(stop_pipe[0], &byte, 1) > 0) {
        }
      }
      _exit(0);
    }
    close(url_pipe[1]);
    close(stop_pipe[0]);
    stop_fd = stop_pipe[1];
    char buffer[256];
    auto n = read(url_pipe[0], buffer, sizeof buffer);
    close(url_pipe[0]);
    REQUIRE(n > 0);
    base_url.assign(buffer, static_cast<std::size_t>(n));
  }
  ~ChildModelServer() {
    close(stop_fd);
    int status = 0;
    waitpid(pid, &status, 0);
  }
};

/// The bot answers with openai, model "drip", the test key; knowledge: one refund chunk.
class Registry final : public registry::v1::BotRegistryService::Service {
 public:
  grpc::Status GetBotModelConfig(grpc::ServerContext*, const registry::v1::GetBotModelConfigRequest*,
                                 registry::v1::BotModelConfig* response) override {
    response->set_bot_id(kBot);
    response->mutable_provider()->set_provider("openai");
    response->mutable_provider()->set_model("drip");
    response->mutable_provider()->set_fallback_to_extractive(false);
    response->set_effective_answerer("openai");
    response->set_api_key(kKey);
    return grpc::Status::OK;
  }
  grpc::Status SearchKnowledge(grpc::ServerContext*, const registry::v1::SearchKnowledgeRequest*,
                               registry::v1::SearchKnowledgeResponse* response) override {
    auto* chunk = response->add_chunks();
    chunk->set_chunk_id("chunk-1");
    chunk->set_document_id("doc-1");
    chunk->set_document_title("Refund policy");
    chunk->set_text("Refunds are paid within 14 days of the return.");
    chunk->set_score(4.5);
    return grpc::Status::OK;
  }
};

/// One streamed Generate on the callback client API (no client thread per call).
class Reader final : public grpc::ClientReadReactor<ai::v1::GenerateResponse> {
 public:
  Reader(ai::v1::AiProxyService::Stub& stub, std::mutex& mutex, std::condition_variable& cv, int& done)
      : mutex_(mutex), cv_(cv), done_(done) {
    request_.set_tenant_id(kTenant);
    request_.set_bot_id(kBot);
    request_.set_language("en");
    request_.set_user_text("When do I get my refund?");
    request_.mutable_provider()->set_provider("openai");
    context_.set_deadline(std::chrono::system_clock::now() + 60s);
    stub.async()->Generate(&context_, &request_, this);
    StartRead(&event_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (event_.has_final()) {
      final_text = event_.final().text();
    } else {
      text += event_.delta();
      ++deltas;
    }
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& s) override {
    std::lock_guard lock(mutex_);
    status = s;
    ++done_;
    cv_.notify_all();
  }

  grpc::Status status;
  std::string text, final_text;
  int deltas = 0;

 private:
  std::mutex& mutex_;
  std::condition_variable& cv_;
  int& done_;
  grpc::ClientContext context_;
  ai::v1::GenerateRequest request_;
  ai::v1::GenerateResponse event_;
};

}  // namespace

TEST_CASE("200 concurrent streaming replies complete on a handful of threads") {
  ChildModelServer model;  // before any thread of this process exists
  Registry registry;
  rpc::Server registry_server("127.0.0.1:0", {&registry});
  ai::test::ProxyHarness proxy("127.0.0.1:" + std::to_string(registry_server.port()), true, 4, 256);
  ai::ChatModelSettings settings;
  settings.first_token_timeout = 30s;
  settings.total_timeout = 50s;
  proxy.providers->add(std::make_shared<ai::ChatModelProvider>(std::make_shared<ai::OpenAiWire>(model.base_url),
                                                               std::make_shared<http::Client>(), proxy.search, settings));
  const std::string expected = "Refunds are paid within 14 days of the return [1].";  // the fake's reply
  int before = thread_count();

  std::mutex mutex;
  std::condition_variable cv;
  int done = 0;
  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < kReplies; ++i) readers.push_back(std::make_unique<Reader>(*proxy.stub, mutex, cv, done));
  int peak = thread_count();
  {
    std::unique_lock lock(mutex);
    while (done < kReplies) {
      cv.wait_for(lock, 20ms);
      peak = std::max(peak, thread_count());
    }
  }
  int ok = 0, complete = 0;
  for (const auto& r : readers) {
    if (r->status.ok()) ++ok;
    if (r->final_text == expected && r->text == expected) ++complete;
  }
  INFO("threads before " << before << ", peak " << peak);
  WARN("threads before the calls: " << before << ", peak while 200 replies streamed: " << peak);
  CHECK(ok == kReplies);
  CHECK(complete == kReplies);
  CHECK(peak < 64);  // far below one thread per reply
}
