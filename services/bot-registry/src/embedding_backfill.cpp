#include "embedding_backfill.hpp"

#include <exception>
#include <string>
#include <vector>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "embedding_repository.hpp"
#include "sentence_embedding.hpp"

namespace botfactory::registry {
namespace {

metrics::Gauge& pending_gauge(const char* kind) {
  return metrics::Registry::global().gauge(
      "botfactory_registry_embeddings_pending",
      "English bots' chunks (kind=chunk) and document titles (kind=title) waiting for their sentence embedding",
      std::string("kind=\"") + kind + "\"");
}

metrics::Counter& embedded_counter() {
  return metrics::Registry::global().counter("botfactory_registry_embeddings_stored_total",
                                             "Sentence embeddings computed and stored by the backfill worker");
}

}  // namespace

EmbeddingBackfill::EmbeddingBackfill(std::shared_ptr<pg::Pool> pool, std::shared_ptr<const SentenceEncoder> encoder,
                                     EmbeddingBackfillSettings settings)
    : pool_(std::move(pool)), encoder_(std::move(encoder)), settings_(settings) {}

EmbeddingBackfill::~EmbeddingBackfill() { stop(); }

void EmbeddingBackfill::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void EmbeddingBackfill::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t EmbeddingBackfill::run_batch() {
  std::size_t done = 0;
  auto connection = pool_->acquire();
  {
    pg::Transaction tx(*connection);
    EmbeddingRepository repository(*connection);
    auto claimed = repository.claim_chunks(settings_.batch);
    std::vector<std::string_view> texts;
    for (const auto& chunk : claimed) texts.push_back(chunk.text);
    auto vectors = encoder_->embed_batch(texts);  // one forward pass per ≤ kBatchTokens tokens
    std::vector<std::string> ids, values;
    for (std::size_t i = 0; i < claimed.size(); ++i) {
      ids.push_back(std::move(claimed[i].id));
      values.push_back(encode_embedding(quantize(vectors[i])));
    }
    repository.store_chunks(ids, values);
    tx.commit();
    done += ids.size();
  }
  {
    pg::Transaction tx(*connection);
    EmbeddingRepository repository(*connection);
    auto claimed = repository.claim_titles(settings_.batch);
    std::vector<std::string_view> texts;
    for (const auto& document : claimed) {
      if (has_title_text(document.text)) texts.push_back(document.text);
    }
    auto vectors = encoder_->embed_batch(texts);
    std::vector<std::string> ids, values;
    std::size_t next = 0;
    for (auto& document : claimed) {
      values.push_back(has_title_text(document.text) ? encode_embedding(quantize(vectors[next++])) : encode_no_title());
      ids.push_back(std::move(document.id));
    }
    repository.store_titles(ids, values);
    tx.commit();
    done += ids.size();
  }
  auto pending = EmbeddingRepository(*connection).pending();
  pending_gauge("chunk").set(pending.chunks);
  pending_gauge("title").set(pending.titles);
  embedded_counter().inc(done);
  return done;
}

std::size_t EmbeddingBackfill::run_until_idle() {
  std::size_t total = 0;
  for (std::size_t n; (n = run_batch()) > 0;) total += n;
  return total;
}

void EmbeddingBackfill::loop() {
  auto log = common::logger("registry");
  bool invalidated = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    std::size_t done = 0;
    try {
      if (!invalidated) {
        auto connection = pool_->acquire();
        auto reset = EmbeddingRepository(*connection).invalidate_other_formats(kEmbeddingFormat);
        if (reset > 0) log->info("embedding backfill: {} stored embeddings of another format reset", reset);
        invalidated = true;
      }
      done = run_batch();
    } catch (const std::exception& e) {
      log->warn("embedding backfill: {}; retrying in {} ms", e.what(), settings_.idle.count());
    }
    if (done > 0) continue;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, settings_.idle, [this] { return stopping_; });
  }
}

}  // namespace botfactory::registry
