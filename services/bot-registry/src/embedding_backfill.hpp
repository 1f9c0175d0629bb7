#pragma once
// The embedding backfill worker (docs/architecture.md "Sentence-encoder re-rank"): computes the
// sentence embeddings of English bots' chunks and document titles after ingest, so AddDocument
// stays fast (a document is searchable lexically at once; the re-rank uses its embeddings once
// they are in). One thread per bot-registry replica. Safe with any number of replicas: a batch is
// claimed with row locks (SKIP LOCKED) inside one transaction, and stored only where still NULL.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>

#include "botfactory/pg/pool.hpp"
#include "sentence_encoder.hpp"

namespace botfactory::registry {

/// REGISTRY_EMBED_BATCH and REGISTRY_EMBED_IDLE_MS.
struct EmbeddingBackfillSettings {
  /// Chunks (and then titles) claimed per transaction (1..256). A batch of 16 chunks of 128
  /// tokens is ~0.75 s of one core, the time its transaction (and a pool connection) is held.
  int batch = 16;
  /// Sleep when nothing is pending (ms).
  std::chrono::milliseconds idle{1000};
};

class EmbeddingBackfill {
 public:
  /// `encoder` must not be null. Does not start the thread (start()).
  EmbeddingBackfill(std::shared_ptr<pg::Pool> pool, std::shared_ptr<const SentenceEncoder> encoder,
                    EmbeddingBackfillSettings settings);
  /// stop().
  ~EmbeddingBackfill();
  EmbeddingBackfill(const EmbeddingBackfill&) = delete;
  EmbeddingBackfill& operator=(const EmbeddingBackfill&) = delete;

  /// Starts the worker thread: resets values of another embedding format once
  /// (EmbeddingRepository::invalidate_other_formats), then runs batches, sleeping `idle` when
  /// none is pending or after a database error (logged, retried). Idempotent.
  void start();
  /// Stops the thread after its current batch (at most one batch's embedding time) and joins it.
  void stop();

  /// One batch on the calling thread: claims up to `batch` chunks and up to `batch` titles,
  /// embeds and stores them, updates the pending gauges. Returns the texts embedded (0 = none
  /// pending that this worker could claim). Throws pg::Error on database errors.
  std::size_t run_batch();
  /// run_batch() until it returns 0 (tests, benchmarks). Returns the texts embedded.
  std::size_t run_until_idle();

 private:
  void loop();

  std::shared_ptr<pg::Pool> pool_;
  std::shared_ptr<const SentenceEncoder> encoder_;
  EmbeddingBackfillSettings settings_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace botfactory::registry
