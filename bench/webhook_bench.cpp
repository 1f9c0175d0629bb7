// bench_webhooks: what outgoing webhooks cost (docs/benchmarks.md "Outgoing webhooks").
//   enqueue: WebhookEnqueuer::messages_committed() per committed batch — the work the chat
//     commit path does after each commit — for a tenant without endpoints (the cached "none")
//     and a tenant with one endpoint (payload + queue push), batches of 1 and 16 messages; then
//     the writer thread's rate (events written per second, INSERTs of ≤ 500).
//   dispatch: deliveries per second from WebhookDispatcher to a local receiver (127.0.0.1:0,
//     answering 200 at once), batch 16 in flight.
// Against a private database made on --pg (a maintenance conninfo). Output: a markdown table.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/http_client/http_client.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/testenv/http_test_server.hpp"
#include "migrations.hpp"
#include "scratch_database.hpp"
#include "webhooks/webhook_dispatcher.hpp"
#include "webhooks/webhook_endpoints.hpp"
#include "webhooks/webhook_enqueuer.hpp"
#include "webhooks/webhook_repository.hpp"

using namespace botfactory;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<chat::v1::Conversation> conversations(const std::string& tenant, int n) {
  std::vector<chat::v1::Conversation> out(static_cast<std::size_t>(n));
  for (auto& c : out) {
    c.set_id(common::random_uuid());
    c.set_tenant_id(tenant);
    c.set_bot_id(common::random_uuid());
    c.set_channel("web");
  }
  return out;
}

/// µs per messages_committed() call for `rounds` batches of `batch` messages of `tenant`.
double per_batch_us(channel::WebhookEnqueuer& enqueuer, const std::string& tenant, int batch, int rounds) {
  auto convs = conversations(tenant, batch);
  std::vector<chat::v1::Message> messages(static_cast<std::size_t>(batch));
  for (int i = 0; i < batch; ++i) {
    auto& m = messages[static_cast<std::size_t>(i)];
    m.set_id(common::random_uuid());
    m.set_conversation_id(convs[static_cast<std::size_t>(i)].id());
    m.set_seq(i + 2);
    m.mutable_sender()->set_kind(common::v1::SENDER_KIND_VISITOR);
    m.set_text("Where is my parcel? It was due on Monday and the tracking page shows nothing.");
  }
  std::vector<channel::CommittedMessage> committed;
  for (int i = 0; i < batch; ++i) {
    committed.emplace_back(&convs[static_cast<std::size_t>(i)], &messages[static_cast<std::size_t>(i)]);
  }
  enqueuer.messages_committed(committed);  // warm the cache and the prepared statements
  const auto start = Clock::now();
  for (int r = 0; r < rounds; ++r) enqueuer.messages_committed(committed);
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / rounds;
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"Outgoing webhooks: enqueue cost on the commit path, dispatch rate"};
  std::string pg = "host=127.0.0.1 port=5432 user=postgres";
  int rounds = 2000;
  int deliveries = 2000;
  app.add_option("--pg", pg, "libpq conninfo of a maintenance database (a private one is made)");
  app.add_option("--rounds", rounds, "batches per enqueue case")->check(CLI::Range(10, 1000000));
  app.add_option("--deliveries", deliveries, "deliveries in the dispatch case")->check(CLI::Range(10, 1000000));
  CLI11_PARSE(app, argc, argv);

  bench::ScratchDatabase scratch(pg, "bench_webhooks_");
  {
    pg::Connection sql(scratch.conninfo());
    pg::migrate(sql, "chat", migrations::chat_migrations());
  }
  auto pool = std::make_shared<pg::Pool>(scratch.conninfo(), 4);
  metrics::Registry registry;
  channel::WebhookRepository rows(*pool);
  // The dispatch timing includes opening each sealed secret (WEBHOOK_SECRETS_KEY).
  auto box = std::make_shared<const crypto::SecretBox>(
      crypto::SecretBox::decode_secret(common::random_token(32)));
  channel::WebhookEndpoints endpoints(rows, box, 10, true);
  channel::WebhookEnqueuer enqueuer(rows, registry, std::chrono::milliseconds(5000), 100000, {},
                                    static_cast<std::size_t>(rounds) * 40);
  enqueuer.start();
  testenv::HttpTestServer receiver([](const testenv::HttpTestRequest&, testenv::HttpTestConnection& c) {
    c.respond(200, "text/plain", "ok");
  });
  const auto quiet = common::random_uuid();
  const auto hooked = common::random_uuid();
  endpoints.create(hooked, receiver.base_url() + "/hook", {"message.created"});

  const auto enqueue_start = Clock::now();
  std::cout << "| case | batch | µs per committed batch | µs per message |\n|---|---|---|---|\n";
  for (int batch : {1, 16}) {
    for (const auto& [name, tenant] : {std::pair{"no endpoints (cached)", quiet}, std::pair{"1 endpoint", hooked}}) {
      const double us = per_batch_us(enqueuer, tenant, batch, rounds);
      std::cout << "| " << name << " | " << batch << " | " << us << " | " << us / batch << " |\n";
    }
  }

  {
    const auto start = Clock::now();
    enqueuer.stop();  // writes everything queued
    const auto end = Clock::now();
    const double drain = std::chrono::duration<double>(end - start).count();
    const double total = std::chrono::duration<double>(end - enqueue_start).count();
    pg::Connection sql(scratch.conninfo());
    const auto written = sql.exec("SELECT count(*) FROM chat.webhook_deliveries").int64(0, 0);
    std::cout << "\n| writer | rows written | s from the first push to the last row | rows/s | s to drain after the last push |\n"
                 "|---|---|---|---|---|\n| INSERT … SELECT per ≤ 500 | " << written << " | " << total
              << " | " << written / total << " | " << drain << " |\n";
  }
  // Dispatch: drain what the enqueue cases queued, then time `deliveries` more.
  http::Client client;
  channel::WebhookDispatchSettings settings;
  settings.allow_private = true;
  channel::WebhookDispatcher dispatcher(rows, box, client, settings, registry);
  while (dispatcher.deliver_due() > 0) {
  }
  std::vector<channel::WebhookEventRow> events;
  for (int i = 0; i < deliveries; ++i) events.push_back({hooked, "message.created", "{\"n\":" + std::to_string(i) + "}"});
  rows.enqueue(events);
  const auto start = Clock::now();
  int sent = 0;
  while (int n = dispatcher.deliver_due()) sent += n;
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "\n| dispatch | deliveries | s | deliveries/s |\n|---|---|---|---|\n| batch "
            << settings.batch << ", local receiver | " << sent << " | " << seconds << " | "
            << sent / seconds << " |\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_webhooks: " << e.what() << "\n";
  return 1;
}
