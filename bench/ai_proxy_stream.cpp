// bench_ai_proxy_stream: what ai-proxy adds to a streamed model reply (docs/benchmarks.md,
// "ai-proxy streaming overhead"; issue 7 targets: p50 ≤ 0.5 ms, p99 ≤ 2 ms per reply, deltas
// coalesced, 200 concurrent streaming replies without a thread per reply).
//
// This process holds a fake OpenAI-compatible server (services/ai-proxy/tests/
// fake_model_servers.hpp: `--tokens` text events, a usage chunk, `data: [DONE]`, optionally
// `--pace-ms` between tokens) and a fake BotRegistryService (SearchKnowledge: one FAQ chunk;
// GetBotModelConfig: provider openai with the fake's key). It starts the real
// botfactory-ai-proxy binary (`--ai-proxy`) as a child with OPENAI_API_KEY / OPENAI_BASE_URL
// pointing at the fake and REGISTRY_ADDR at the fake registry, so the bot answers with the
// `openai` provider whether ai-proxy takes the key from its environment or from the registry.
//
// Sequential phase, the paths alternating reply by reply (same machine state):
//   direct:   libs/http_client (push interface) + libs/sse + the OpenAI wire parser in this
//             process, the prompt built once: the floor of any client of the model;
//   provider: ai-proxy's ChatModelProvider in this process (knowledge search over gRPC, prompt,
//             the same HTTP + SSE path): what ai-proxy's own work costs without the gRPC serving;
//   proxied:  ai.v1.AiProxyService/Generate on the ai-proxy process, read to its final reply.
// Reported per path: p50 / p90 / p99 per reply, the time from the fake's last event to the
// reply's end, gRPC messages per reply, and ai-proxy's CPU per reply (/proc/<pid>/stat).
// Concurrent phase: `--concurrent` Generate calls at once (callback client), paced by
// `--concurrent-pace-ms`; completion, wall time, ai-proxy's thread count (/proc/<pid>/status,
// sampled every 20 ms).
// Output: markdown on stdout; one JSON object per phase on stderr lines "RESULT {...}".
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "botfactory/ai/v1/ai.grpc.pb.h"
#include "botfactory/http_client/http_client.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/sse/sse_parser.hpp"
#include "chat_model_provider.hpp"
#include "fake_model_servers.hpp"
#include "knowledge_search.hpp"
#include "openai_wire.hpp"
#include "prompt_builder.hpp"

extern char** environ;

namespace {

using namespace botfactory;
using Clock = std::chrono::steady_clock;

const std::string kTenant = "11111111-1111-4111-8111-111111111111";
const std::string kBot = "22222222-2222-4222-8222-222222222222";
const std::string kQuestion = "Will Firefox Relay forward emails with attachments?";
const std::string kKey = "sk-bench-0123456789abcdef";
const std::string kModel = "bench-model";

struct Options {
  std::string ai_proxy = "build/services/ai-proxy/botfactory-ai-proxy";
  int calls = 300;
  int repeat = 3;
  int tokens = 200;
  int pace_ms = 0;
  int concurrent = 200;
  int concurrent_pace_ms = 5;
  std::string only;  // "sequential" or "concurrent"
  bool serve_fake = false;
};

Options parse(int argc, char** argv) {
  Options o;
  CLI::App app{"What ai-proxy adds to a streamed model reply (docs/benchmarks.md)", "bench_ai_proxy_stream"};
  app.add_option("--ai-proxy", o.ai_proxy, "the botfactory-ai-proxy binary to start")->check(CLI::ExistingFile);
  app.add_option("--calls", o.calls, "replies per path in the sequential phase")->check(CLI::Range(10, 1000000));
  app.add_option("--repeat", o.repeat, "sequential runs (the summary row gives their medians)")->check(CLI::Range(1, 100));
  app.add_option("--tokens", o.tokens, "text events (words) per model reply")->check(CLI::Range(1, 4000));
  app.add_option("--pace-ms", o.pace_ms, "pause after each token in the sequential phase")->check(CLI::Range(0, 1000));
  app.add_option("--concurrent", o.concurrent, "replies at once in the concurrent phase")->check(CLI::Range(1, 250));
  app.add_option("--concurrent-pace-ms", o.concurrent_pace_ms, "pause after each token in the concurrent phase")
      ->check(CLI::Range(0, 1000));
  app.add_option("--only", o.only, "run one phase")->check(CLI::IsMember({"sequential", "concurrent"}));
  app.add_flag("--serve-fake", o.serve_fake,
               "only serve the fake model (key " + kKey + ", --tokens, --pace-ms) until stdin closes: prints "
               "\"URL <base>\", then \"END <steady-clock ns>\" after each complete stream (bench/ai_gateway_stream.mjs)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

/// SearchKnowledge: one real Firefox Relay FAQ chunk (MPL-2.0, deploy/seed/mozilla-faq).
/// GetBotModelConfig: the bot answers with `openai` with the fake's key and no base URL of its
/// own, as with the platform key: ai-proxy then uses its OPENAI_BASE_URL (the fake).
class FixedRegistry final : public registry::v1::BotRegistryService::Service {
 public:

  std::atomic<long> searches{0}, configs{0};  // calls served

  grpc::Status SearchKnowledge(grpc::ServerContext*, const registry::v1::SearchKnowledgeRequest*,
                               registry::v1::SearchKnowledgeResponse* response) override {
    ++searches;
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

  grpc::Status GetBotModelConfig(grpc::ServerContext*, const registry::v1::GetBotModelConfigRequest* request,
                                 registry::v1::BotModelConfig* response) override {
    ++configs;
    response->set_bot_id(request->bot_id());
    response->mutable_provider()->set_provider("openai");
    response->mutable_provider()->set_model(kModel);
    response->set_effective_answerer("openai");
    response->set_api_key(kKey);
    return grpc::Status::OK;
  }
};

/// `tokens` words ending in a citation, each its own text event of the fake.
std::string make_reply(int tokens) {
  static const char* words[] = {"Relay", "forwards", "attachments", "up", "to", "10", "MB;", "larger",
                                "emails", "are", "not", "forwarded", "and", "you", "get", "a", "notice"};
  std::string reply;
  for (int i = 0; i < tokens; ++i) {
    if (i) reply += ' ';
    reply += i + 1 == tokens ? std::string("[1].") : std::string(words[i % std::size(words)]);
  }
  return reply;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("no free port");
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

/// The ai-proxy child process: started with `env` added to ours, SIGTERM + wait on destruction.
class Child {
 public:
  Child(const std::string& binary, const std::vector<std::string>& env) {
    std::vector<std::string> all(env);
    for (char** e = environ; *e; ++e) {
      std::string entry(*e);
      auto name = entry.substr(0, entry.find('=') + 1);
      bool overridden = std::any_of(env.begin(), env.end(), [&](const std::string& v) { return v.rfind(name, 0) == 0; });
      if (!overridden) all.push_back(entry);
    }
    std::vector<char*> envp;
    for (auto& entry : all) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::string arg0 = binary;
    char* argv[] = {arg0.data(), nullptr};
    if (int rc = posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv, envp.data()); rc != 0) {
      throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
    }
  }
  ~Child() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = 0;
};

/// A field of /proc/<pid>/status ("Threads"), -1 when unreadable.
long proc_status(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

/// utime + stime of `pid` in ms (/proc/<pid>/stat fields 14 and 15, clock ticks).
double cpu_ms(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return static_cast<double>(utime + stime) * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct Stats {
  double p50 = 0, p90 = 0, p99 = 0;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
  return {at(0.50), at(0.90), at(0.99)};
}

double ms_since(Clock::time_point start, Clock::time_point end = Clock::now()) {
  return std::chrono::duration<double, std::milli>(end - start).count();
}

/// One reply's figures.
struct Sample {
  double total_ms = 0;  // request start → reply complete
  double tail_ms = 0;   // the fake's last event sent → reply complete
  std::size_t messages = 0;  // text events (direct, provider) or gRPC messages (proxied)
};

struct Bench {
  Options options;
  std::unique_ptr<ai::test::FakeOpenAi> fake;
  std::unique_ptr<FixedRegistry> registry;
  std::unique_ptr<rpc::Server> registry_server;
  std::string expected_text;
  std::atomic<std::int64_t> stream_end_ns{0};  // steady clock of the fake's last stream end

  std::shared_ptr<http::Client> http;
  std::shared_ptr<const ai::OpenAiWire> wire;
  std::shared_ptr<ai::ChatModelProvider> provider;
  ai::GenerateInput input;
  ai::Prompt prompt;

  std::unique_ptr<Child> proxy;
  std::unique_ptr<ai::v1::AiProxyService::Stub> stub;
  ai::v1::GenerateRequest request;

  double tail_since_stream_end(Clock::time_point end) const {
    return ms_since(Clock::time_point(std::chrono::nanoseconds(stream_end_ns.load())), end);
  }

  void set_pace(int pace_ms) { fake->pause = std::chrono::milliseconds(pace_ms); }

  void start() {
    fake = std::make_unique<ai::test::FakeOpenAi>(kKey);
    fake->reply = make_reply(options.tokens);
    fake->piece = 0;  // one HTTP chunk per event, as a model server writes them
    fake->on_stream_end = [this] { stream_end_ns = Clock::now().time_since_epoch().count(); };
    expected_text = fake->reply;

    registry = std::make_unique<FixedRegistry>();
    registry_server = std::make_unique<rpc::Server>("127.0.0.1:0", std::vector<grpc::Service*>{registry.get()});
    std::string registry_addr = "127.0.0.1:" + std::to_string(registry_server->port());
    auto timeout = std::chrono::milliseconds(30000);

    http = std::make_shared<http::Client>();
    wire = std::make_shared<ai::OpenAiWire>(fake->base_url());
    auto search = std::make_shared<ai::GrpcKnowledgeSearch>(rpc::make_channel(registry_addr), timeout);
    ai::ChatModelSettings settings;
    settings.default_model = kModel;
    settings.api_key = kKey;
    settings.total_timeout = timeout;
    provider = std::make_shared<ai::ChatModelProvider>(wire, http, search, settings);
    input.tenant_id = kTenant;
    input.bot_id = kBot;
    input.provider = "openai";
    input.model = kModel;
    input.user_text = kQuestion;
    prompt = ai::build_prompt(input, search->search(kTenant, kBot, kQuestion, settings.top_k));

    int grpc_port = free_port(), metrics_port = free_port();
    std::string proxy_addr = "127.0.0.1:" + std::to_string(grpc_port);
    // The key comes from the fake registry (GetBotModelConfig), the base URL from ai-proxy's
    // environment; OPENAI_API_KEY serves an ai-proxy that still reads its key from there.
    proxy = std::make_unique<Child>(options.ai_proxy, std::vector<std::string>{
        "AI_PROXY_GRPC_LISTEN=" + proxy_addr, "AI_PROXY_METRICS_LISTEN=127.0.0.1:" + std::to_string(metrics_port),
        "REGISTRY_ADDR=" + registry_addr, "OPENAI_API_KEY=" + kKey, "OPENAI_BASE_URL=" + fake->base_url(),
        "OPENAI_MODEL=" + kModel, "LLM_TIMEOUT_MS=30000"});
    auto channel = rpc::make_channel(proxy_addr);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20))) {
      throw std::runtime_error("ai-proxy did not start on " + proxy_addr);
    }
    stub = ai::v1::AiProxyService::NewStub(channel);
    request.set_tenant_id(kTenant);
    request.set_bot_id(kBot);
    request.set_conversation_id("33333333-3333-4333-8333-333333333333");
    request.set_language("en");
    request.mutable_provider()->set_provider("openai");
    request.mutable_provider()->set_model(kModel);
    request.set_user_text(kQuestion);
  }

  void check_text(const std::string& text, const char* path) const {
    if (text != expected_text) {
      throw std::runtime_error(std::string(path) + ": reply text differs from the model's (" +
                               std::to_string(text.size()) + " of " + std::to_string(expected_text.size()) + " bytes)");
    }
  }

  /// One model reply on the HTTP client's push interface, the SSE events parsed on its event
  /// thread as they arrive (as ai-proxy does); wait() blocks until the response completed.
  class DirectCall {
   public:
    explicit DirectCall(Bench& b) : b_(b), start_(Clock::now()) {
      auto req = b.wire->request(b.prompt, kModel, 0.3, 1024, kKey);
      req.total_timeout = std::chrono::milliseconds(30000);
      http::StreamCallbacks callbacks;
      callbacks.on_head = [this](long status, const http::Headers&) { status_ = status; };
      callbacks.on_body = [this](std::string_view bytes) {
        parser_.feed(bytes, [this](const sse::Event& e) {
          try {
            auto event = b_.wire->parse_event(e.data);
            if (!event.text.empty()) {
              text_ += event.text;
              ++sample_.messages;
            }
            if (event.done) done_ = true;
          } catch (const std::exception&) {
            malformed_ = true;  // never throw on the client's event thread
          }
        });
      };
      callbacks.on_complete = [this](http::Failure failure, const std::string& message) {
        auto end = Clock::now();
        std::lock_guard lock(mutex_);
        sample_.total_ms = ms_since(start_, end);
        sample_.tail_ms = b_.tail_since_stream_end(end);
        failure_ = failure;
        message_ = message;
        complete_ = true;
        cv_.notify_all();
      };
      call_ = b.http->start(std::move(req), std::move(callbacks));
    }
    /// The reply's figures; throws when it failed or differs from the model's text.
    Sample wait() {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return complete_; });
      if (failure_ != http::Failure::kNone) throw std::runtime_error("direct: " + message_);
      if (!done_ || malformed_ || status_ != 200) throw std::runtime_error("direct: incomplete or malformed stream");
      b_.check_text(text_, "direct");
      return sample_;
    }

   private:
    Bench& b_;
    Clock::time_point start_;
    sse::Parser parser_;
    std::string text_;
    long status_ = 0;
    bool done_ = false, malformed_ = false;
    Sample sample_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool complete_ = false;
    http::Failure failure_ = http::Failure::kNone;
    std::string message_;
    std::shared_ptr<http::Call> call_;
  };

  Sample direct() { return DirectCall(*this).wait(); }

  Sample in_process() {
    Sample s;
    auto start = Clock::now();
    ai::FinalReply reply;
    provider->generate(input, [&](std::string_view) { return ++s.messages > 0; }, reply);
    auto end = Clock::now();
    check_text(reply.text, "provider");
    s.total_ms = ms_since(start, end);
    s.tail_ms = tail_since_stream_end(end);
    return s;
  }

  Sample proxied() {
    Sample s;
    auto start = Clock::now();
    grpc::ClientContext context;
    rpc::set_deadline(context, std::chrono::milliseconds(30000));
    auto reader = stub->Generate(&context, request);
    ai::v1::GenerateResponse event;
    std::string text, final_text, provider_name;
    while (reader->Read(&event)) {
      ++s.messages;
      if (event.has_final()) {
        final_text = event.final().text();
        provider_name = event.final().provider();
      } else {
        text += event.delta();
      }
    }
    auto end = Clock::now();
    auto status = reader->Finish();
    if (!status.ok()) throw std::runtime_error("Generate failed: " + status.error_message());
    if (provider_name != "openai") throw std::runtime_error("Generate answered with " + provider_name + ", not openai");
    check_text(text, "proxied deltas");
    check_text(final_text, "proxied final");
    s.total_ms = ms_since(start, end);
    s.tail_ms = tail_since_stream_end(end);
    return s;
  }
};

/// The figures of one sequential run (ms).
struct RunFigures {
  Stats direct, provider, proxied, direct_tail, proxied_tail;
  Stats paired;  // of proxied − direct, reply by reply (the two ran back to back)
  std::size_t messages = 0;
  double proxy_cpu_ms = 0;  // per reply
  double registry_searches = 0, registry_configs = 0;  // ai-proxy's calls per reply
  double adds_p50() const { return proxied.p50 - direct.p50; }
  double adds_p99() const { return proxied.p99 - direct.p99; }
  double tail_p50() const { return proxied_tail.p50 - direct_tail.p50; }
  double tail_p99() const { return proxied_tail.p99 - direct_tail.p99; }
};

Stats pick(const std::vector<Sample>& samples, bool tail) {
  std::vector<double> out;
  for (const auto& s : samples) out.push_back(tail ? s.tail_ms : s.total_ms);
  return stats(out);
}

RunFigures sequential_run(Bench& b) {
  const auto& o = b.options;
  std::vector<Sample> direct, provider, proxied;
  double proxy_cpu = 0;
  long searches = b.registry->searches, configs = b.registry->configs;
  for (int i = 0; i < o.calls; ++i) {  // interleaved, so the paths see the same machine state
    direct.push_back(b.direct());
    provider.push_back(b.in_process());
    double before = cpu_ms(b.proxy->pid());
    proxied.push_back(b.proxied());
    proxy_cpu += cpu_ms(b.proxy->pid()) - before;
  }
  // The in-process provider searches once per reply; the rest is ai-proxy's.
  double proxy_searches = static_cast<double>(b.registry->searches - searches - o.calls) / o.calls;
  double proxy_configs = static_cast<double>(b.registry->configs - configs) / o.calls;
  std::vector<double> paired;
  for (std::size_t i = 0; i < direct.size(); ++i) paired.push_back(proxied[i].total_ms - direct[i].total_ms);
  RunFigures f{pick(direct, false), pick(provider, false), pick(proxied, false), pick(direct, true),
               pick(proxied, true), stats(paired), proxied.back().messages, proxy_cpu / o.calls,
               proxy_searches, proxy_configs};
  std::fprintf(stderr,
               "RESULT {\"phase\":\"sequential\",\"tokens\":%d,\"pace_ms\":%d,\"calls\":%d,\"direct_p50_ms\":%.4f,"
               "\"direct_p99_ms\":%.4f,\"provider_p50_ms\":%.4f,\"proxied_p50_ms\":%.4f,\"proxied_p99_ms\":%.4f,"
               "\"overhead_p50_ms\":%.4f,\"overhead_p99_ms\":%.4f,\"tail_overhead_p50_ms\":%.4f,"
               "\"tail_overhead_p99_ms\":%.4f,\"paired_p50_ms\":%.4f,\"paired_p99_ms\":%.4f,\"grpc_messages\":%zu,"
               "\"proxy_cpu_ms_per_reply\":%.4f,\"registry_calls_per_reply\":{\"SearchKnowledge\":%.2f,"
               "\"GetBotModelConfig\":%.2f}}\n",
               o.tokens, o.pace_ms, o.calls, f.direct.p50, f.direct.p99, f.provider.p50, f.proxied.p50, f.proxied.p99,
               f.adds_p50(), f.adds_p99(), f.tail_p50(), f.tail_p99(), f.paired.p50, f.paired.p99, f.messages,
               f.proxy_cpu_ms, f.registry_searches, f.registry_configs);
  return f;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void sequential(Bench& b) {
  const auto& o = b.options;
  b.set_pace(o.pace_ms);
  for (int i = 0; i < std::min(50, o.calls); ++i) {  // warm up connections, allocators, caches
    b.direct();
    b.in_process();
    b.proxied();
  }
  std::printf("### %d tokens per reply, %d ms between tokens: %d runs of %d replies per path\n\n", o.tokens, o.pace_ms,
              o.repeat, o.calls);
  std::printf("| run | direct p50 / p99 ms | ChatModelProvider in process p50 / p99 | through ai-proxy p50 / p99 | "
              "**ai-proxy adds p50** | **p99** | paired p50 | paired p99 | after the last event: adds p50 | p99 | "
              "gRPC messages per reply | ai-proxy CPU ms per reply |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::vector<RunFigures> runs;
  for (int r = 0; r < o.repeat; ++r) {
    auto f = sequential_run(b);
    runs.push_back(f);
    std::printf("| %d | %.3f / %.3f | %.3f / %.3f | %.3f / %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %zu | %.2f |\n",
                r + 1, f.direct.p50, f.direct.p99, f.provider.p50, f.provider.p99, f.proxied.p50, f.proxied.p99,
                f.adds_p50(), f.adds_p99(), f.paired.p50, f.paired.p99, f.tail_p50(), f.tail_p99(), f.messages,
                f.proxy_cpu_ms);
    std::fflush(stdout);
  }
  auto med = [&](double (RunFigures::*of)() const) {
    std::vector<double> v;
    for (const auto& f : runs) v.push_back((f.*of)());
    return median(v);
  };
  std::vector<double> cpu;
  for (const auto& f : runs) cpu.push_back(f.proxy_cpu_ms);
  std::vector<double> paired50, paired99;
  for (const auto& f : runs) {
    paired50.push_back(f.paired.p50);
    paired99.push_back(f.paired.p99);
  }
  std::printf("| median | | | | **%.3f** | **%.3f** | %.3f | %.3f | %.3f | %.3f | | %.2f |\n\n", med(&RunFigures::adds_p50),
              med(&RunFigures::adds_p99), median(paired50), median(paired99), med(&RunFigures::tail_p50),
              med(&RunFigures::tail_p99), median(cpu));
  std::printf("ai-proxy's calls to the registry per reply: SearchKnowledge %.2f, GetBotModelConfig %.2f.\n\n",
              runs.back().registry_searches, runs.back().registry_configs);
  std::printf("Targets: ai-proxy adds p50 ≤ 0.5 ms, p99 ≤ 2 ms per reply. \"adds\" = through ai-proxy minus direct at "
              "that percentile; \"paired\" = percentile of (through ai-proxy − direct) of back-to-back replies.\n\n");
}

/// One Generate call on gRPC's callback client API (no client thread per call).
class StreamCall final : public grpc::ClientReadReactor<ai::v1::GenerateResponse> {
 public:
  StreamCall(ai::v1::AiProxyService::Stub& stub, const ai::v1::GenerateRequest& request) : request_(request) {
    rpc::set_deadline(context_, std::chrono::milliseconds(120000));
    stub.async()->Generate(&context_, &request_, this);
  }
  void go() {
    start_ = Clock::now();
    StartRead(&event_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    ++messages_;
    if (event_.has_final()) final_text_ = event_.final().text();
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mutex_);
    ms_ = ms_since(start_);
    ok_ = status.ok();
    error_ = status.error_message();
    done_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return done_; });
  }
  bool ok(const std::string& expected) const { return ok_ && final_text_ == expected; }
  const std::string& error() const { return error_; }
  double ms() const { return ms_; }
  std::size_t messages() const { return messages_; }

 private:
  grpc::ClientContext context_;
  ai::v1::GenerateRequest request_;
  ai::v1::GenerateResponse event_;
  Clock::time_point start_;
  std::size_t messages_ = 0;
  std::string final_text_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false, ok_ = false;
  double ms_ = 0;
  std::string error_;
};

/// The same replies at once straight from the model (the HTTP client's push interface, one
/// event thread): the wall-time floor on this machine. Returns {wall ms, completed, reply p50
/// ms, reply p99 ms}.
std::vector<double> direct_concurrent(Bench& b, int replies) {
  std::vector<std::unique_ptr<Bench::DirectCall>> calls;
  auto start = Clock::now();
  for (int i = 0; i < replies; ++i) calls.push_back(std::make_unique<Bench::DirectCall>(b));
  std::vector<double> ok;
  for (auto& call : calls) {
    try {
      ok.push_back(call->wait().total_ms);
    } catch (const std::exception&) {
    }
  }
  double wall = ms_since(start);
  auto s = ok.empty() ? Stats{} : stats(ok);
  return {wall, static_cast<double>(ok.size()), s.p50, s.p99};
}

void concurrent(Bench& b) {
  const auto& o = b.options;
  b.set_pace(o.concurrent_pace_ms);
  auto floor = direct_concurrent(b, o.concurrent);
  long idle_threads = proc_status(b.proxy->pid(), "Threads");
  std::atomic<bool> running{true};
  std::atomic<long> max_threads{idle_threads};
  std::thread sampler([&] {
    while (running) {
      long n = proc_status(b.proxy->pid(), "Threads");
      if (n > max_threads) max_threads = n;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::vector<std::unique_ptr<StreamCall>> calls;
  for (int i = 0; i < o.concurrent; ++i) calls.push_back(std::make_unique<StreamCall>(*b.stub, b.request));
  double cpu_before = cpu_ms(b.proxy->pid());
  auto start = Clock::now();
  for (auto& call : calls) call->go();
  std::vector<double> ms;
  int completed = 0;
  std::string first_error;
  for (auto& call : calls) {
    call->wait();
    ms.push_back(call->ms());
    if (call->ok(b.expected_text)) {
      ++completed;
    } else if (first_error.empty()) {
      first_error = call->error().empty() ? "reply text differs" : call->error();
    }
  }
  double wall = ms_since(start);
  double cpu = cpu_ms(b.proxy->pid()) - cpu_before;
  running = false;
  sampler.join();
  long after_threads = proc_status(b.proxy->pid(), "Threads");
  auto s = stats(ms);
  double floor_ms = static_cast<double>(o.tokens) * o.concurrent_pace_ms;
  std::printf("### %d concurrent streaming replies on one ai-proxy (%d tokens, %d ms between tokens: %.0f ms of "
              "model time each)\n\n",
              o.concurrent, o.tokens, o.concurrent_pace_ms, floor_ms);
  std::printf("| path | replies | completed | wall ms | reply p50 ms | p99 ms | gRPC messages per reply | ai-proxy "
              "threads idle | max during run | after | ai-proxy CPU ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::printf("| model called directly (http_client push interface) | %d | %.0f | %.0f | %.0f | %.0f | | | | | |\n", o.concurrent,
              floor[1], floor[0], floor[2], floor[3]);
  std::printf("| through one ai-proxy | %d | %d | %.0f | %.0f | %.0f | %zu | %ld | %ld | %ld | %.0f |\n\n", o.concurrent,
              completed, wall, s.p50, s.p99, calls.back()->messages(), idle_threads, max_threads.load(), after_threads,
              cpu);
  if (!first_error.empty()) std::printf("First failure: %s\n\n", first_error.c_str());
  std::fprintf(stderr,
               "RESULT {\"phase\":\"concurrent\",\"replies\":%d,\"completed\":%d,\"tokens\":%d,\"pace_ms\":%d,"
               "\"direct_wall_ms\":%.1f,\"wall_ms\":%.1f,\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"threads_idle\":%ld,\"threads_max\":%ld,"
               "\"cpu_ms\":%.0f}\n",
               o.concurrent, completed, o.tokens, o.concurrent_pace_ms, floor[0], wall, s.p50, s.p99, idle_threads,
               max_threads.load(), cpu);
}

}  // namespace

/// --serve-fake: the fake model for another process (the gateway benchmark). CLOCK_MONOTONIC
/// (std::chrono::steady_clock here, process.hrtime in Node) is the same clock in both.
int serve_fake(const Options& o) {
  ai::test::FakeOpenAi fake(kKey);
  fake.reply = make_reply(o.tokens);
  fake.piece = 0;
  fake.pause = std::chrono::milliseconds(o.pace_ms);
  std::mutex out;
  fake.on_stream_end = [&] {
    std::lock_guard lock(out);
    std::printf("END %lld\n", static_cast<long long>(Clock::now().time_since_epoch().count()));
    std::fflush(stdout);
  };
  std::printf("URL %s\n", fake.base_url().c_str());
  std::fflush(stdout);
  while (std::getchar() != EOF) {
  }
  return 0;
}

int main(int argc, char** argv) try {
  Bench b;
  b.options = parse(argc, argv);
  if (b.options.serve_fake) return serve_fake(b.options);
  b.start();
  if (b.options.only != "concurrent") sequential(b);
  if (b.options.only != "sequential") concurrent(b);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_ai_proxy_stream: %s\n", e.what());
  return 1;
}
