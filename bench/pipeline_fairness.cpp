// bench_fairness: another tenant's reply latency while one tenant floods its widget
// (docs/benchmarks.md "Bot pipeline fairness"). In process: channel-connector's real ChatStore
// (PostgreSQL), Redis publisher and rate counters, BotPipeline and dispatcher; bot-registry,
// subscription and the model are in-process stand-ins, the model taking --model-ms per reply.
//
// Each mode runs the same load: --posters threads post tenant A's visitor messages as fast as
// PostMessage takes them, spread over --flood-conversations conversations, for the whole run;
// meanwhile tenant B's visitors ask --probes questions, one every --probe-interval-ms, each in
// a new conversation of a new bot of B (B stays under its own reply rate). B's latency = from its PostMessage call to its bot reply committed.
// Modes: no flood (B alone: the baseline), fifo (one shared FIFO queue: the pipeline before per-tenant queues), fair (per-tenant
// queues, round-robin, per-tenant running cap; rates off), fair+rates (plus the default
// VISITOR_MESSAGES_PER_MIN and BOT_REPLIES_PER_MIN).
// Output: a markdown table on stdout, one JSON object per mode on stderr lines "RESULT {...}".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipeline/bot_pipeline.hpp"
#include "scratch_database.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/redis/publisher.hpp"
#include "chat/chat_rate_limits.hpp"
#include "chat/chat_service.hpp"
#include "chat/chat_store.hpp"
#include "migrations.hpp"
#include "pipeline/pipeline_dispatcher.hpp"
#include "pipeline/worker_pool.hpp"

using namespace botfactory;
using namespace botfactory::channel;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string pg = "host=127.0.0.1 user=postgres dbname=postgres";
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  int threads = 4;
  int model_ms = 100;
  int posters = 2;
  int flood_conversations = 100;
  int probes = 100;
  int probe_interval_ms = 100;
  std::string only;
};

Options parse(int argc, char** argv) {
  Options o;
  CLI::App app{"Another tenant's reply latency during a widget flood (docs/benchmarks.md)",
               "bench_fairness"};
  app.add_option("--pg", o.pg, "libpq conninfo of a maintenance database (a private one is made)");
  app.add_option("--redis-host", o.redis_host, "Redis host");
  app.add_option("--redis-port", o.redis_port, "Redis port");
  app.add_option("--threads", o.threads, "PIPELINE_THREADS")->check(CLI::Range(1, 64));
  app.add_option("--model-ms", o.model_ms, "time the stand-in model takes per reply")
      ->check(CLI::Range(0, 10000));
  app.add_option("--posters", o.posters, "threads posting tenant A's flood")->check(CLI::Range(1, 16));
  app.add_option("--flood-conversations", o.flood_conversations, "tenant A's conversations")
      ->check(CLI::Range(1, 10000));
  app.add_option("--probes", o.probes, "tenant B's questions")->check(CLI::Range(1, 10000));
  app.add_option("--probe-interval-ms", o.probe_interval_ms, "between B's questions")
      ->check(CLI::Range(1, 60000));
  app.add_option("--only", o.only, "run only this mode (no flood, fifo, fair, fair+rates)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

/// Every bot exists, speaks English and answers extractively.
struct StandInBots : BotDirectory {
  BotProfile get_bot(const std::string& tenant_id, const std::string& bot_id) override {
    BotProfile b;
    b.id = bot_id;
    b.tenant_id = tenant_id;
    b.name = "Bench";
    b.language = "en";
    b.provider = "extractive";
    return b;
  }
};

/// Grants every reply and counts them per tenant.
struct CountingQuota : QuotaGate {
  std::mutex mutex;
  std::map<std::string, int> consumed;
  QuotaGrant consume_bot_reply(const std::string& tenant_id) override {
    std::lock_guard lock(mutex);
    ++consumed[tenant_id];
    return QuotaGrant{true, 0, 0};
  }
};

/// Extractive replies use no model tokens: nothing to record.
struct NoTokenMeter : TokenMeter {
  bool record_token_usage(const TokenUsageRecord&) override { return false; }
};

/// A model that takes `delay` per reply.
struct SlowModel : ReplyGenerator {
  std::chrono::milliseconds delay;
  explicit SlowModel(std::chrono::milliseconds d) : delay(d) {}
  GeneratedReply generate(const GenerateInput&,
                          const std::function<void(std::string_view)>& on_delta) override {
    std::this_thread::sleep_for(delay);
    on_delta("An answer.");
    GeneratedReply reply;
    reply.text = "An answer.";
    reply.provider = "extractive";
    return reply;
  }
};

/// ChatOps that notes when each conversation's bot message was committed.
struct ReplyClock : ChatOps {
  ChatService& inner;
  std::mutex mutex;
  std::map<std::string, Clock::time_point> replied;
  explicit ReplyClock(ChatService& c) : inner(c) {}
  std::vector<Turn> recent_turns(const std::string& id, std::int64_t before, int max) override {
    return inner.recent_turns(id, before, max);
  }
  std::vector<Turn> participant_turns(const std::string& id, std::int64_t before,
                                      common::v1::SenderKind kind, const std::string& sender,
                                      int max) override {
    return inner.participant_turns(id, before, kind, sender, max);
  }
  std::int64_t post_bot_message(const BotMessage& message) override {
    auto seq = inner.post_bot_message(message);
    std::lock_guard lock(mutex);
    replied.emplace(message.conversation_id, Clock::now());
    return seq;
  }
  bool human_handles(const std::string& id) override { return inner.human_handles(id); }
  void publish_typing(const std::string& id, const std::string& bot_id,
                      const std::string& bot_name) override {
    inner.publish_typing(id, bot_id, bot_name);
  }
  void publish_typing_stop(const std::string& id, const std::string& bot_id,
                           const std::string& bot_name) override {
    inner.publish_typing_stop(id, bot_id, bot_name);
  }
  void publish_delta(const std::string& id, std::int64_t seq, std::string_view delta) override {
    inner.publish_delta(id, seq, delta);
  }
};

/// The pipeline as it was before per-tenant queues: one FIFO shared by every tenant.
struct FifoDispatcher : VisitorMessageListener {
  BotPipeline& pipeline;
  WorkerPool pool;
  FifoDispatcher(BotPipeline& p, std::size_t threads, std::size_t capacity)
      : pipeline(p), pool(threads, capacity, "fifo") {}
  void on_visitor_message(const VisitorMessage& message) override {
    pool.try_submit([this, message] { pipeline.run(message); });
  }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

struct Mode {
  std::string name;
  bool fair;
  bool rates;
  bool flood = true;
};

void run_mode(const Options& o, const Mode& mode, const std::string& conninfo, pg::Connection& sql) {
  metrics::Registry registry;
  auto pool = std::make_shared<pg::Pool>(conninfo, 8);
  ChatStore store(*pool);
  redis::Publisher publisher(o.redis_host, o.redis_port, std::chrono::milliseconds(1000));
  StandInBots bots;
  CountingQuota quota;
  SlowModel model{std::chrono::milliseconds(o.model_ms)};
  RedisHitCounter hits(o.redis_host, o.redis_port, std::chrono::milliseconds(250), {});
  ChatRateSettings rate_settings;  // the defaults
  if (!mode.rates) rate_settings = ChatRateSettings{0, 0, ""};
  rate_settings.key_prefix = "bench:" + common::random_base62(8) + ":";
  ChatRateLimits rates(hits, rate_settings, registry);
  ChatService chat(store, publisher, bots, registry, &rates);
  ReplyClock clock(chat);
  NoTokenMeter meter;
  BotPipeline pipeline(bots, quota, model, clock, rates, meter, registry);
  std::unique_ptr<VisitorMessageListener> dispatcher;
  DispatchSettings dispatch;
  dispatch.threads = static_cast<std::size_t>(o.threads);
  if (mode.fair) {
    dispatcher = std::make_unique<PipelineDispatcher>(pipeline, dispatch, registry);
  } else {
    dispatcher = std::make_unique<FifoDispatcher>(pipeline, dispatch.threads, dispatch.queue_capacity);
  }
  chat.set_listener(dispatcher.get());

  auto uuid = [&] { return sql.exec("SELECT gen_random_uuid()::text").str(0, 0); };
  std::string tenant_a = uuid(), bot_a = uuid(), tenant_b = uuid();
  auto conversation = [&](const std::string& tenant, const std::string& bot) {
    chat::v1::CreateConversationRequest request;
    request.set_tenant_id(tenant);
    request.set_bot_id(bot);
    return chat.create_conversation(request).id();
  };
  // PostMessage requires the caller's tenant (the gateway's, on the wire).
  auto post = [&](const std::string& tenant, const std::string& conversation_id,
                  const std::string& client_id) {
    chat::v1::PostMessageRequest request;
    request.set_tenant_id(tenant);
    request.set_conversation_id(conversation_id);
    request.set_client_id(client_id);
    request.mutable_sender()->set_kind(common::v1::SENDER_KIND_VISITOR);
    request.mutable_sender()->set_id("visitor");
    request.mutable_sender()->set_name("Guest 1000");
    request.set_text("How do I reset my password?");
    chat.post_message(request);
  };
  std::vector<std::string> flood;
  for (int i = 0; i < o.flood_conversations; ++i) flood.push_back(conversation(tenant_a, bot_a));

  auto flood_start = Clock::now();
  std::atomic<bool> stop{false};
  std::atomic<long> flood_posted{0}, flood_refused{0};
  std::vector<std::thread> posters;
  for (int p = 0; mode.flood && p < o.posters; ++p) {
    posters.emplace_back([&, p] {
      for (long i = 0; !stop; ++i) {
        try {
          post(tenant_a, flood[static_cast<std::size_t>(i) % flood.size()],
               "a-" + std::to_string(p) + "-" + std::to_string(i));
          ++flood_posted;
        } catch (const std::exception&) {
          ++flood_refused;  // the visitor rate: RESOURCE_EXHAUSTED rate_limited
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the flood is on

  std::vector<std::pair<std::string, Clock::time_point>> asked;
  for (int i = 0; i < o.probes; ++i) {
    // A bot per question, so that B stays under its own BOT_REPLIES_PER_MIN in fair+rates.
    auto id = conversation(tenant_b, uuid());
    auto at = Clock::now();
    post(tenant_b, id, "b-" + std::to_string(i));
    asked.emplace_back(id, at);
    std::this_thread::sleep_for(std::chrono::milliseconds(o.probe_interval_ms));
  }
  // Answers still on their way get 30 s more (the flood goes on meanwhile).
  auto deadline = Clock::now() + std::chrono::seconds(30);
  for (;;) {
    std::size_t answered = 0;
    {
      std::lock_guard lock(clock.mutex);
      for (const auto& [id, at] : asked) answered += clock.replied.count(id);
    }
    if (answered == asked.size() || Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (auto& t : posters) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - flood_start).count();
  chat.set_listener(nullptr);

  std::vector<double> latencies;
  {
    std::lock_guard lock(clock.mutex);
    for (const auto& [id, at] : asked) {
      auto it = clock.replied.find(id);
      if (it != clock.replied.end()) {
        latencies.push_back(std::chrono::duration<double, std::milli>(it->second - at).count());
      }
    }
  }
  int a_replies = 0;
  {
    std::lock_guard lock(quota.mutex);
    a_replies = quota.consumed[tenant_a];
  }
  dispatcher.reset();  // stops the workers; waiting flood jobs are dropped
  auto unanswered = asked.size() - latencies.size();
  std::cout << "| " << mode.name << " | " << o.threads << " | " << o.model_ms << " | "
            << fmt(seconds) << " | " << flood_posted << " | " << flood_refused << " | " << a_replies << " | "
            << latencies.size() << "/" << asked.size() << " | " << fmt(percentile(latencies, 0.5))
            << " | " << fmt(percentile(latencies, 0.99)) << " | "
            << fmt(latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end()))
            << " |" << std::endl;
  std::cerr << "RESULT {\"mode\":\"" << mode.name << "\",\"threads\":" << o.threads
 << ",\"model_ms\":" << o.model_ms << ",\"seconds\":" << fmt(seconds)
            << ",\"flood_posted\":" << flood_posted
            << ",\"flood_refused\":" << flood_refused << ",\"a_model_replies\":" << a_replies
            << ",\"b_answered\":" << latencies.size() << ",\"b_unanswered\":" << unanswered
            << ",\"b_p50_ms\":" << fmt(percentile(latencies, 0.5))
            << ",\"b_p99_ms\":" << fmt(percentile(latencies, 0.99)) << "}" << std::endl;
}

}  // namespace

int main(int argc, char** argv) try {
  Options options = parse(argc, argv);
  bench::ScratchDatabase scratch(options.pg, "bench_fairness_");  // dropped at the end
  const std::string& conninfo = scratch.conninfo();
  pg::Connection sql(conninfo);
  pg::migrate(sql, "chat", migrations::chat_migrations());

  std::cout << "| mode | threads | model ms | run s | A posted | A refused (rate) | A model replies | "
               "B answered | B p50 ms | B p99 ms | B max ms |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& mode : {Mode{"no flood", true, false, false}, Mode{"fifo", false, false},
                           Mode{"fair", true, false},
                           Mode{"fair+rates", true, true}}) {
    if (!options.only.empty() && mode.name != options.only) continue;
    run_mode(options, mode, conninfo, sql);
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_fairness: " << e.what() << std::endl;
  return 1;
}
